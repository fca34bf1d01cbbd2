import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { SecretsUnavailableError, requireSecretBox } from "../../secrets/secret-box.js";
import { Toolset } from "../../tools/toolset.js";
import type { Db } from "../../store/db.js";
import { newId } from "../../store/ids.js";
import { addServer, DuplicateServerError, getServer, listServers, removeServer, toServerInfo, updateServer, type McpServerRow } from "../../store/mcp-servers.js";
import { HttpError, notFound } from "../http-errors.js";
import { headersContext, stdioContext, type McpTools } from "../mcp.js";
import { splitCommandLine } from "../../tools/command-line.js";
import { oauthContext, oauthInfo } from "../mcp-oauth.js";
import { listOAuth, patchOAuth, type McpOAuthRow } from "../../store/mcp-oauth.js";
import { freeText, identifier, idParams } from "../schemas.js";
import { mcpOAuthRoutes } from "./mcp-oauth.js";
import type { McpCatalog, McpToolsReply } from "../../shared/mcp.js";

const serverUrl = z
  .url({ protocol: /^https?$/, error: "expected the server's http:// or https:// address, such as https://example.com/mcp" })
  .max(2000);
/** Header names as HTTP allows them; values without line breaks. */
/** A client id or secret the user got from an authorization server's operator. */
const clientText = (what: string, max: number) => identifier(what, max).transform((text) => text.trim()).pipe(z.string().min(1, `The ${what} is empty. Enter it, or leave the field out.`));
const headers = z.record(z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/, "a header name has letters, digits and - only"), z.string().max(8000).regex(/^[^\r\n\u0000]*$/, "a header value cannot have line breaks")).refine((h) => Object.keys(h).length <= 20, "at most 20 headers");

/**
 * A user's MCP servers: list, add (name, URL, optional headers), change (on/off, ask before running, tools off,
 * headers), remove, and look at a server's tools. Every query is scoped by the user: another user's ids are 404.
 * Header values are stored encrypted and never sent back (only their names). For OAuth-protected servers without
 * dynamic client registration the user gives a client id (and secret, stored encrypted, never sent back); signing
 * in is in ./mcp-oauth.ts.
 */
export const mcpRoutes: FastifyPluginAsyncZod<{ db: Db; mcp: McpTools }> = async (app, { db, mcp }) => {
  const info = (row: McpServerRow, oauth: McpOAuthRow | undefined) => toServerInfo(row, Object.keys(mcp.headersOf(row).headers), oauthInfo(oauth));
  const infoOf = async (row: McpServerRow) => info(row, (await listOAuth(db, row.owner_id)).get(row.id));
  const sealWith = (plain: string, context: string): string => {
    try {
      return requireSecretBox(mcp.keys).encrypt(plain, context);
    } catch (error) {
      if (error instanceof SecretsUnavailableError) throw new HttpError(400, "secrets_unavailable", `${error.message}. The server was not saved.`);
      throw error;
    }
  };
  const seal = (id: string, values: Record<string, string> | null | undefined): string | null | undefined => {
    if (values === undefined) return undefined;
    if (values === null || Object.keys(values).length === 0) return null;
    return sealWith(JSON.stringify(values), headersContext(id));
  };

  const add = async (ownerId: string, input: Parameters<typeof addServer>[2]) => {
    try {
      const row = await addServer(db, ownerId, input);
      mcp.invalidate(ownerId);
      return await infoOf(row);
    } catch (error) {
      if (error instanceof DuplicateServerError) throw new HttpError(409, "duplicate_server", error.message);
      throw error;
    }
  };

  app.get("/api/mcp/servers", { schema: { tags: ["mcp"] } }, async (request) => {
    const oauth = await listOAuth(db, request.user.id);
    return { servers: (await listServers(db, request.user.id)).map((row) => info(row, oauth.get(row.id))) };
  });

  app.post(
    "/api/mcp/servers",
    {
      schema: {
        tags: ["mcp"],
        body: z.object({ name: freeText().pipe(z.string().trim().min(1).max(64)), url: serverUrl, headers: headers.optional(), clientId: clientText("client ID", 500).optional(), clientSecret: clientText("client secret", 2000).optional() }),
      },
    },
    async (request, reply) => {
      const id = newId();
      const { clientId, clientSecret } = request.body;
      if (clientSecret !== undefined && clientId === undefined) throw new HttpError(400, "client_id_required", "A client secret goes with a Client ID: enter the Client ID too, or leave the secret out.");
      const headersEncrypted = seal(id, request.body.headers) ?? null;
      const secretEncrypted = clientSecret !== undefined ? sealWith(clientSecret, oauthContext(id, "client-secret")) : null;
      try {
        const row = await addServer(db, request.user.id, { id, name: request.body.name, url: request.body.url, headersEncrypted });
        if (clientId !== undefined) await patchOAuth(db, request.user.id, id, { client_id: clientId, client_secret_encrypted: secretEncrypted });
        mcp.invalidate(request.user.id);
        return reply.status(201).send({ server: await infoOf(row) });
      } catch (error) {
        if (error instanceof DuplicateServerError) throw new HttpError(409, "duplicate_server", error.message);
        throw error;
      }
    },
  );

  // The admin's list (MCP_SERVERS_FILE): what it offers, and switching one on for oneself.
  app.get("/api/mcp/catalog", { schema: { tags: ["mcp"] } }, async (request): Promise<McpCatalog> => {
    const added = new Set((await listServers(db, request.user.id)).filter((r) => r.source === "listed").map((r) => r.name));
    return {
      servers: mcp.catalog.map((s) => ({ name: s.name, description: s.description, transport: s.transport, where: s.where, added: added.has(s.name) })),
      programsAllowed: mcp.programsAllowed,
    };
  });

  app.post(
    "/api/mcp/servers/listed",
    { schema: { tags: ["mcp"], body: z.object({ name: identifier("server name", 64) }).strict() } },
    async (request, reply) => {
      const listed = mcp.catalog.find((s) => s.name === request.body.name);
      if (!listed) throw new HttpError(404, "not_listed", `Your administrator offers no server named "${request.body.name}". Open MCP servers again to see the list.`);
      return reply.status(201).send({ server: await add(request.user.id, { name: listed.name, url: listed.where, headersEncrypted: null, source: "listed" }) });
    },
  );

  // A program on this machine (a stdio server): only for the one person of AUTH_MODE=none, whose machine it is.
  app.post(
    "/api/mcp/servers/programs",
    {
      schema: {
        tags: ["mcp"],
        body: z.object({ name: freeText().pipe(z.string().trim().min(1).max(64)), command: identifier("command", 4000).pipe(z.string().trim().min(1, "The command is empty: type the program and its arguments, such as npx -y @modelcontextprotocol/server-everything.")), env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "an environment variable name has letters, digits and _ only"), identifier("environment value", 8000)).optional() }).strict(),
      },
    },
    async (request, reply) => {
      if (!mcp.programsAllowed) throw new HttpError(403, "programs_not_allowed", "Programs run on the server's machine, so only an administrator can offer them (MCP_SERVERS_FILE). Add a server by its URL instead.");
      const words = splitCommandLine(request.body.command);
      if (!words?.length) throw new HttpError(400, "invalid_command", "The command has an unbalanced quote: close each ' and \" you open.");
      const id = newId();
      const program = { command: words[0]!, args: words.slice(1), ...(request.body.env ? { env: request.body.env } : {}) };
      const stdioEncrypted = sealWith(JSON.stringify(program), stdioContext(id));
      return reply.status(201).send({ server: await add(request.user.id, { id, name: request.body.name, url: request.body.command, headersEncrypted: null, source: "stdio", stdioEncrypted }) });
    },
  );

  app.patch(
    "/api/mcp/servers/:id",
    {
      schema: {
        tags: ["mcp"],
        params: idParams,
        body: z.object({
          enabled: z.boolean().optional(),
          askBeforeRunning: z.boolean().optional(),
          disabledTools: z.array(z.string().max(200)).max(1000).optional(),
          headers: headers.nullable().optional(),
          /** The OAuth client: a new client id (with `clientSecret`, or none), or null for none (the app registers itself). */
          clientId: clientText("client ID", 500).nullable().optional(),
          /** Without `clientId`: replaces (or with null removes) the secret of the current client id. */
          clientSecret: clientText("client secret", 2000).nullable().optional(),
        }),
      },
    },
    async (request) => {
      const ownerId = request.user.id;
      const id = request.params.id;
      const existing = await getServer(db, ownerId, id);
      if (!existing) throw notFound("MCP server");
      const { headers: values, clientId, clientSecret, ...rest } = request.body;
      const sealed = seal(id, values);
      let client: { client_id: string | null; client_secret_encrypted: string | null } | undefined;
      if (clientId !== undefined) {
        if (clientId === null && typeof clientSecret === "string") throw new HttpError(400, "client_id_required", "A client secret goes with a Client ID: enter the Client ID too, or leave the secret out.");
        client = { client_id: clientId, client_secret_encrypted: typeof clientSecret === "string" ? sealWith(clientSecret, oauthContext(id, "client-secret")) : null };
      } else if (clientSecret !== undefined) {
        const current = (await listOAuth(db, ownerId)).get(id);
        if (!current?.client_id) throw new HttpError(400, "client_id_required", "This server has no Client ID to go with a secret: enter the Client ID too.");
        client = { client_id: current.client_id, client_secret_encrypted: clientSecret === null ? null : sealWith(clientSecret, oauthContext(id, "client-secret")) };
      }
      const row = await updateServer(db, ownerId, id, { ...rest, ...(sealed !== undefined ? { headersEncrypted: sealed } : {}) });
      if (client) {
        // Tokens and a registration belong to the client they were issued to: they are revoked (with that client)
        // and forgotten, and another client signs in afresh.
        await mcp.endSignIn(existing, request.log);
        await patchOAuth(db, ownerId, id, { ...client, registration_encrypted: null, discovery: null });
      }
      mcp.invalidate(ownerId);
      return { server: await infoOf(row!) };
    },
  );

  app.delete("/api/mcp/servers/:id", { schema: { tags: ["mcp"], params: idParams } }, async (request, reply) => {
    const row = await getServer(db, request.user.id, request.params.id);
    if (!row) throw notFound("MCP server");
    // Removing a server signed in to ends its sign-in too (revoked where the server offers that), as Disconnect does.
    await mcp.endSignIn(row, request.log);
    if (!(await removeServer(db, request.user.id, request.params.id))) throw notFound("MCP server");
    mcp.invalidate(request.user.id);
    return reply.status(204).send();
  });

  /** Connects to the server now and lists its tools (with the ones the model cannot take and why). */
  app.get("/api/mcp/servers/:id/tools", { schema: { tags: ["mcp"], params: idParams } }, async (request): Promise<McpToolsReply> => {
    const row = await getServer(db, request.user.id, request.params.id);
    if (!row) throw notFound("MCP server");
    const { config, problem } = mcp.configOf(row);
    if (!config) return { status: "error", error: problem ?? "This server cannot be used now.", tools: [], unavailable: [] };
    const toolset = await Toolset.connect([config], mcp.connectionOptions([row]));
    try {
      const status = toolset.status()[0];
      const off = new Set(JSON.parse(row.disabled_tools) as string[]);
      const tools = toolset.specs.map((spec) => {
        const name = toolset.lookup(spec.name)?.tool ?? spec.name;
        return { name, description: spec.description ?? "", enabled: !off.has(name), readOnly: toolset.readOnly(spec.name) };
      });
      return {
        status: status?.state === "connected" ? "connected" : status?.state === "needs_sign_in" ? "needs_sign_in" : "error",
        error: problem ?? toolset.failures[0]?.message ?? null,
        tools,
        unavailable: toolset.unavailable.map((u) => ({ name: u.tool, reason: u.reason })),
      };
    } finally {
      await toolset.close();
    }
  });

  await app.register(mcpOAuthRoutes, { db, mcp });
};
