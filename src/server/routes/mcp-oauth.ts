import { createHash } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { SecretsUnavailableError, requireSecretBox, type SecretBox } from "../../secrets/secret-box.js";
import type { Db } from "../../store/db.js";
import { getServer } from "../../store/mcp-servers.js";
import { HttpError, notFound } from "../http-errors.js";
import type { McpTools } from "../mcp.js";
import { CALLBACK_PATH, OAuthFlowError } from "../mcp-oauth.js";
import type { McpDisconnectReply } from "../../shared/mcp.js";
import { idParams } from "../schemas.js";

/**
 * Signing in to an OAuth-protected MCP server, per user (src/server/mcp-oauth.ts does the protocol):
 *   POST   /api/mcp/servers/:id/oauth/start  → { authorizationUrl } for the dialog's sign-in window;
 *   GET    /api/mcp/oauth/callback           ← the authorization server sends the browser back here: the state must
 *                                              be a sign-in this signed-in user started (CSRF defence), then the
 *                                              code is exchanged and the tokens stored encrypted; a small page tells
 *                                              the dialog (BroadcastChannel) and closes;
 *   DELETE /api/mcp/servers/:id/oauth        → Disconnect: the tokens are revoked where the server offers that
 *                                              (RFC 7009), and forgotten: { revocation, problem? }.
 * Another user's server ids are 404; their states are refused like any unknown state.
 */
export const mcpOAuthRoutes: FastifyPluginAsyncZod<{ db: Db; mcp: McpTools }> = async (app, { db, mcp }) => {
  const box = (): SecretBox => {
    try {
      return requireSecretBox(mcp.keys);
    } catch (error) {
      if (error instanceof SecretsUnavailableError) throw new HttpError(400, "secrets_unavailable", `${error.message}. Signing in stores tokens, so it needs it.`);
      throw error;
    }
  };
  const asHttp = (error: unknown) => (error instanceof OAuthFlowError ? new HttpError(error.status, error.code, error.message) : error);

  app.post("/api/mcp/servers/:id/oauth/start", { schema: { tags: ["mcp"], params: idParams } }, async (request) => {
    const row = await getServer(db, request.user.id, request.params.id);
    if (!row) throw notFound("MCP server");
    const sealing = box();
    if (!mcp.authProviderOf(row)) throw new HttpError(409, "has_authorization_header", "This server has its own Authorization header, which is sent instead of a sign-in. Remove its headers (Replace headers) to sign in with OAuth.");
    try {
      // The callback goes to the address this browser uses (unless PUBLIC_URL says otherwise): the dialog hears it there.
      return { authorizationUrl: (await mcp.oauth.start(sealing, row, request.headers.origin)).href };
    } catch (error) {
      throw asHttp(error);
    }
  });

  app.delete("/api/mcp/servers/:id/oauth", { schema: { tags: ["mcp"], params: idParams } }, async (request): Promise<McpDisconnectReply> => {
    const row = await getServer(db, request.user.id, request.params.id);
    if (!row) throw notFound("MCP server");
    return mcp.endSignIn(row, request.log);
  });

  const param = z.string().max(4000).optional();
  app.get(
    CALLBACK_PATH,
    { schema: { tags: ["mcp"], hide: true, querystring: z.object({ code: param, state: param, error: param, error_description: param, iss: param }) } },
    async (request, reply) => {
      const ownerId = request.user.id;
      try {
        // The redirect URI the code was issued for: this request's own address (the guard checked its Host).
        const server = await mcp.oauth.finish(box(), ownerId, `${request.protocol}://${request.host}`, request.query, (id) => getServer(db, ownerId, id));
        mcp.invalidate(ownerId);
        return callbackAnswer(request, reply, 200, { ok: true, serverId: server.id, title: "Signed in", message: `You are signed in to ${server.name}. Its tools are ready in your chats.` });
      } catch (error) {
        const failure = asHttp(error);
        if (!(failure instanceof HttpError)) throw failure;
        return callbackAnswer(request, reply, failure.statusCode, { ok: false, serverId: null, title: "Sign-in failed", message: failure.message, code: failure.code });
      }
    },
  );
};

/** What the callback page tells the dialog (over BroadcastChannel "mcp-oauth"). */
interface CallbackResult {
  ok: boolean;
  serverId: string | null;
  title: string;
  message: string;
  code?: string;
}

/** The page's one script: tell the dialog, then close the window (a tab the user opened stays, with its message). */
const SCRIPT = `(()=>{const m=document.querySelector("main");const c=new BroadcastChannel("mcp-oauth");c.postMessage({type:"mcp-oauth",ok:m.dataset.ok==="1",serverId:m.dataset.server||null,message:m.dataset.message});c.close();setTimeout(()=>window.close(),400);})();`;
const SCRIPT_HASH = `'sha256-${createHash("sha256").update(SCRIPT).digest("base64")}'`;
const CSP = `default-src 'none'; script-src ${SCRIPT_HASH}; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A browser (it asks for HTML) gets the small page; anything else the API's JSON (errors in its usual shape). */
function callbackAnswer(request: FastifyRequest, reply: FastifyReply, status: number, result: CallbackResult) {
  reply.header("cache-control", "no-store");
  if (!request.headers.accept?.includes("text/html")) {
    return status < 400 ? reply.status(status).send({ ok: true, serverId: result.serverId }) : reply.status(status).send({ error: { code: result.code ?? "oauth_failed", message: result.message } });
  }
  const page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(result.title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;margin:0;display:grid;place-items:center;min-height:100vh;background:#f6f7f9;color:#1d2433}main{max-width:28rem;margin:1rem;padding:1.5rem;background:#fff;border-radius:12px;box-shadow:0 1px 4px rgba(0,0,0,.12)}h1{font-size:1.25rem;margin:0 0 .5rem}a{color:#2457c5}@media (prefers-color-scheme:dark){body{background:#15181e;color:#e6e8ec}main{background:#20242c}a{color:#8fb0ff}}</style>
</head><body><main data-ok="${result.ok ? "1" : "0"}" data-server="${escapeHtml(result.serverId ?? "")}" data-message="${escapeHtml(result.message)}">
<h1>${escapeHtml(result.title)}</h1><p>${escapeHtml(result.message)}</p><p>You can close this window and go back to the chat. <a href="/">Back to the chat</a></p>
</main><script>${SCRIPT}</script></body></html>`;
  return reply.status(status).header("content-security-policy", CSP).type("text/html; charset=utf-8").send(page);
}
