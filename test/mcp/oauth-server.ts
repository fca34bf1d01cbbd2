import { randomBytes } from "node:crypto";
import type { Server as HttpServer } from "node:http";
import type { Response as ExpressResponse } from "express";
import { createMcpExpressApp } from "@modelcontextprotocol/sdk/server/express.js";
import { InvalidGrantError, InvalidRequestError, InvalidTokenError } from "@modelcontextprotocol/sdk/server/auth/errors.js";
import { requireBearerAuth } from "@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js";
import type { OAuthRegisteredClientsStore } from "@modelcontextprotocol/sdk/server/auth/clients.js";
import type { AuthorizationParams, OAuthServerProvider } from "@modelcontextprotocol/sdk/server/auth/provider.js";
import { getOAuthProtectedResourceMetadataUrl, mcpAuthRouter } from "@modelcontextprotocol/sdk/server/auth/router.js";
import type { AuthInfo } from "@modelcontextprotocol/sdk/server/auth/types.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import type { OAuthClientInformationFull, OAuthTokens } from "@modelcontextprotocol/sdk/shared/auth.js";
import { z } from "zod";
import { freePort } from "../helpers/postgres.js";

/**
 * A small OAuth-protected MCP server of our own on 127.0.0.1, built from the SDK's server-side auth helpers
 * (mcpAuthRouter: authorization-server and protected-resource metadata, dynamic client registration, authorize,
 * token with PKCE; requireBearerAuth in front of /mcp). The authorization endpoint approves at once (no login
 * page), so a test follows its redirect with fetch. Access tokens are short-lived (or expired on demand), refresh
 * tokens rotate: each works once, a reused one is refused with invalid_grant. With `registration: false` only the
 * fixed client (id and secret) is known. It revokes tokens (RFC 7009, the SDK's /revoke with client_secret_post)
 * unless `revocation: false`. Everything it issued is kept, for tests that look for leaks.
 */

export interface OAuthMcpOptions {
  /** Dynamic client registration offered (default true). */
  registration?: boolean;
  /** The one client known without registration. */
  fixedClient?: { id: string; secret: string };
  /** Access token lifetime (default 10 minutes; `expireAccessTokens()` ends them sooner). */
  accessTtlMs?: number;
  /** Delay of token answers, to widen races. */
  tokenDelayMs?: number;
  /** A revocation endpoint offered in its metadata (default true). */
  revocation?: boolean;
}

export interface OAuthMcpServer {
  /** The MCP endpoint (`/mcp`), the protected resource. */
  url: string;
  issuer: string;
  /** Every access token, refresh token, client secret and code it issued. */
  issued: { accessTokens: string[]; refreshTokens: string[]; clientSecrets: string[]; codes: string[] };
  counts: { registrations: number; codeExchanges: number; refreshes: number; refreshRefusals: number; mcpRequests: number };
  /** Client ids that got tokens. */
  clientsServed: Set<string>;
  /** Each token revoked at /revoke, by the client that asked, with its hint. */
  revoked: { token: string; hint: string | undefined; clientId: string }[];
  options: OAuthMcpOptions;
  /** Every access token issued so far stops working now (refresh tokens stay valid). */
  expireAccessTokens(): void;
  close(): Promise<void>;
}

interface TokenData {
  clientId: string;
  scopes: string[];
  expiresAt: number;
  resource?: URL | undefined;
}

export async function startOAuthMcpServer(options: OAuthMcpOptions = {}): Promise<OAuthMcpServer> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}/`;
  const mcpUrl = `http://127.0.0.1:${port}/mcp`;
  const issued: OAuthMcpServer["issued"] = { accessTokens: [], refreshTokens: [], clientSecrets: [], codes: [] };
  const counts: OAuthMcpServer["counts"] = { registrations: 0, codeExchanges: 0, refreshes: 0, refreshRefusals: 0, mcpRequests: 0 };
  const clientsServed = new Set<string>();
  const revoked: OAuthMcpServer["revoked"] = [];
  const clients = new Map<string, OAuthClientInformationFull>();
  if (options.fixedClient) {
    clients.set(options.fixedClient.id, {
      client_id: options.fixedClient.id,
      client_secret: options.fixedClient.secret,
      // Loopback redirect URIs match on any port (RFC 8252), so this fits the chat server wherever it listens.
      redirect_uris: ["http://127.0.0.1/api/mcp/oauth/callback", "http://localhost/api/mcp/oauth/callback"],
      token_endpoint_auth_method: "client_secret_post",
    });
  }
  const clientsStore: OAuthRegisteredClientsStore = {
    getClient: (id) => clients.get(id),
    ...(options.registration === false
      ? {}
      : {
          registerClient: (client: Omit<OAuthClientInformationFull, "client_id" | "client_id_issued_at">) => {
            const full = client as OAuthClientInformationFull;
            counts.registrations++;
            clients.set(full.client_id, full);
            if (full.client_secret) issued.clientSecrets.push(full.client_secret);
            return full;
          },
        }),
  };
  const codes = new Map<string, { clientId: string; params: AuthorizationParams }>();
  const access = new Map<string, TokenData>();
  const refresh = new Map<string, TokenData>();
  const ttl = options.accessTtlMs ?? 10 * 60_000;
  const secret = (prefix: string) => `${prefix}_${randomBytes(18).toString("base64url")}`;
  const delay = () => new Promise((resolve) => setTimeout(resolve, options.tokenDelayMs ?? 0));

  const issue = (data: Omit<TokenData, "expiresAt">): OAuthTokens => {
    const accessToken = secret("at");
    const refreshToken = secret("rt");
    access.set(accessToken, { ...data, expiresAt: Date.now() + ttl });
    refresh.set(refreshToken, { ...data, expiresAt: Number.MAX_SAFE_INTEGER });
    issued.accessTokens.push(accessToken);
    issued.refreshTokens.push(refreshToken);
    clientsServed.add(data.clientId);
    return { access_token: accessToken, token_type: "bearer", expires_in: Math.ceil(ttl / 1000), refresh_token: refreshToken, scope: data.scopes.join(" ") };
  };

  const provider: OAuthServerProvider = {
    clientsStore,
    // Approves at once: back to the client with a code, its state and our issuer (RFC 9207).
    async authorize(client: OAuthClientInformationFull, params: AuthorizationParams, res: ExpressResponse) {
      const code = secret("code");
      issued.codes.push(code);
      codes.set(code, { clientId: client.client_id, params });
      const target = new URL(params.redirectUri);
      target.searchParams.set("code", code);
      if (params.state !== undefined) target.searchParams.set("state", params.state);
      target.searchParams.set("iss", issuer);
      res.redirect(target.href);
    },
    async challengeForAuthorizationCode(_client, code) {
      const found = codes.get(code);
      if (!found) throw new InvalidGrantError("unknown authorization code");
      return found.params.codeChallenge;
    },
    async exchangeAuthorizationCode(client, code, _verifier, redirectUri, resource) {
      const found = codes.get(code);
      codes.delete(code);
      if (!found || found.clientId !== client.client_id) throw new InvalidGrantError("unknown authorization code");
      if (redirectUri !== undefined && redirectUri !== found.params.redirectUri) throw new InvalidGrantError("redirect_uri differs from the authorization request's");
      if (resource && resource.href !== new URL(mcpUrl).href) throw new InvalidRequestError(`unknown resource ${resource.href}`);
      counts.codeExchanges++;
      await delay();
      return issue({ clientId: client.client_id, scopes: found.params.scopes ?? [], resource });
    },
    async exchangeRefreshToken(client, refreshToken, scopes, resource) {
      // Rotation: the token is used up at once, whatever happens next.
      const found = refresh.get(refreshToken);
      refresh.delete(refreshToken);
      await delay();
      if (!found || found.clientId !== client.client_id) {
        counts.refreshRefusals++;
        throw new InvalidGrantError("refresh token unknown or already used");
      }
      counts.refreshes++;
      return issue({ clientId: client.client_id, scopes: scopes ?? found.scopes, resource: resource ?? found.resource });
    },
    // RFC 7009: a client's own token stops working at once; another client's, or an unknown one, is left as it is
    // (and still answered 200, as the RFC asks).
    ...(options.revocation === false
      ? {}
      : {
          async revokeToken(client: OAuthClientInformationFull, request: { token: string; token_type_hint?: string | undefined }) {
            for (const store of [access, refresh]) {
              if (store.get(request.token)?.clientId === client.client_id) {
                store.delete(request.token);
                revoked.push({ token: request.token, hint: request.token_type_hint, clientId: client.client_id });
              }
            }
          },
        }),
    async verifyAccessToken(token): Promise<AuthInfo> {
      const found = access.get(token);
      if (!found || found.expiresAt <= Date.now()) throw new InvalidTokenError("invalid or expired token");
      return { token, clientId: found.clientId, scopes: found.scopes, expiresAt: Math.floor(found.expiresAt / 1000), ...(found.resource ? { resource: found.resource } : {}) };
    },
  };

  const app = createMcpExpressApp({ host: "127.0.0.1" });
  app.use(
    mcpAuthRouter({
      provider,
      issuerUrl: new URL(issuer),
      resourceServerUrl: new URL(mcpUrl),
      scopesSupported: ["mcp:tools"],
      resourceName: "OAuth test server",
      authorizationOptions: { rateLimit: false },
      tokenOptions: { rateLimit: false },
      clientRegistrationOptions: { rateLimit: false },
      revocationOptions: { rateLimit: false },
    }),
  );
  const bearer = requireBearerAuth({ verifier: provider, resourceMetadataUrl: getOAuthProtectedResourceMetadataUrl(new URL(mcpUrl)) });
  app.post("/mcp", bearer, async (req, res) => {
    counts.mcpRequests++;
    // Stateless: a server and transport per request.
    const server = new McpServer({ name: "oauth-test", version: "1.0.0" });
    server.registerTool("whoami", { description: "Says which OAuth client called" }, async (extra) => ({ content: [{ type: "text", text: `client ${extra.authInfo?.clientId ?? "unknown"}` }] }));
    server.registerTool("echo", { description: "Echoes a message", inputSchema: { message: z.string() } }, async ({ message }) => ({ content: [{ type: "text", text: `echo: ${message}` }] }));
    const transport = new StreamableHTTPServerTransport({ enableJsonResponse: true });
    res.on("close", () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  });
  const methodNotAllowed = (_req: unknown, res: ExpressResponse) => void res.status(405).set("allow", "POST").end();
  app.get("/mcp", bearer, methodNotAllowed);
  app.delete("/mcp", bearer, methodNotAllowed);

  const http: HttpServer = await new Promise((resolve, reject) => {
    const listening = app.listen(port, "127.0.0.1", (error?: Error) => (error ? reject(error) : resolve(listening)));
  });
  return {
    url: mcpUrl,
    issuer,
    issued,
    counts,
    clientsServed,
    revoked,
    options,
    expireAccessTokens() {
      for (const data of access.values()) data.expiresAt = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}
