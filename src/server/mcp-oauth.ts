import { createHash, randomBytes } from "node:crypto";
import { auth, extractWWWAuthenticateParams, type OAuthClientProvider, type OAuthDiscoveryState } from "@modelcontextprotocol/sdk/client/auth.js";
import { OAuthError } from "@modelcontextprotocol/sdk/server/auth/errors.js";
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from "@modelcontextprotocol/sdk/shared/auth.js";
import type { FetchLike } from "@modelcontextprotocol/sdk/shared/transport.js";
import { LATEST_PROTOCOL_VERSION } from "@modelcontextprotocol/sdk/types.js";
import type { SecretBox } from "../secrets/secret-box.js";
import { McpSignInRequiredError } from "../tools/connection.js";
import type { Db } from "../store/db.js";
import { getOAuth, patchOAuth, takePending, writeTokens, type McpOAuthRow } from "../store/mcp-oauth.js";
import type { McpServerRow } from "../store/mcp-servers.js";
import type { McpDisconnectReply, McpOAuthInfo } from "../shared/mcp.js";
import { revokeTokens } from "./mcp-oauth-revoke.js";

/**
 * OAuth-protected MCP servers (the MCP authorization spec), per user and server, on the SDK's client machinery
 * (`auth()`: protected-resource and authorization-server discovery, dynamic client registration, authorization
 * code with PKCE, refresh): this file is the SDK's OAuthClientProvider over the mcp_oauth row, every secret in it
 * sealed with the SecretBox under a context naming the server and the field. All HTTP goes through the fetch it is
 * given (the SSRF-safe one). A provider works in one of three modes:
 *   - `connection`: behind a connection's transport, which calls auth() after a 401: it refreshes the tokens
 *     (compare-and-swap on the row's token version), and never starts a sign-in (McpSignInRequiredError instead);
 *   - `start`: the user's Sign in: fresh discovery, registration if needed, a state and PKCE verifier saved as the
 *     row's pending sign-in, and the authorization URL for the browser;
 *   - `callback`: the authorization server sent the browser back: the code is exchanged with the saved verifier.
 */

/** How long a started sign-in may take before its state is refused. */
export const SIGN_IN_TTL_MS = 10 * 60_000;
export const CALLBACK_PATH = "/api/mcp/oauth/callback";
const CLIENT_NAME = "Foundational LLM Chat";
/** How long a refresh refused as already used waits for the instance that used it to store the new tokens. */
const WINNER_WAIT_MS = 2000;

/** The context each sealed value of the row is bound to: a value moved to another server or field does not decrypt. */
export const oauthContext = (serverId: string, field: "client-secret" | "registration" | "tokens" | "verifier") => `mcp-oauth:${serverId}:${field}`;

export const hashState = (state: string) => createHash("sha256").update(state, "utf8").digest("hex");

/** A sign-in that cannot go on, said for the person (the route answers it with `status`). */
export class OAuthFlowError extends Error {
  override readonly name = "OAuthFlowError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

type Mode = { kind: "connection" } | { kind: "start" } | { kind: "callback"; verifier: string };

interface Deps {
  db: Db;
  box: SecretBox;
  redirectUrl: string;
}

export class StoredOAuthProvider implements OAuthClientProvider {
  /** The row's token version when the tokens were last read: what a refresh's write expects to replace. */
  private version: number | undefined;
  private pendingState: string | undefined;
  private discovered: OAuthDiscoveryState | undefined;
  /** Set in `start` mode by redirectToAuthorization. */
  authorizationUrl: URL | undefined;

  constructor(
    private readonly deps: Deps,
    private readonly server: Pick<McpServerRow, "id" | "owner_id">,
    private readonly mode: Mode,
  ) {}

  get redirectUrl(): string {
    return this.deps.redirectUrl;
  }

  /** RFC 7591 metadata for dynamic registration: a confidential web client, with the first client authentication the server offers. */
  get clientMetadata(): OAuthClientMetadata {
    const offered = this.discovered?.authorizationServerMetadata?.token_endpoint_auth_methods_supported;
    const method = offered ? (["client_secret_basic", "client_secret_post", "none"].find((m) => offered.includes(m)) ?? "client_secret_basic") : "client_secret_basic";
    return { client_name: CLIENT_NAME, redirect_uris: [this.deps.redirectUrl], grant_types: ["authorization_code", "refresh_token"], response_types: ["code"], token_endpoint_auth_method: method };
  }

  private row(): Promise<McpOAuthRow | undefined> {
    return getOAuth(this.deps.db, this.server.owner_id, this.server.id);
  }

  private open(sealed: string, field: Parameters<typeof oauthContext>[1]): string {
    return this.deps.box.decrypt(sealed, oauthContext(this.server.id, field));
  }

  private seal(plain: string, field: Parameters<typeof oauthContext>[1]): string {
    return this.deps.box.encrypt(plain, oauthContext(this.server.id, field));
  }

  private patch(patch: Parameters<typeof patchOAuth>[3]): Promise<void> {
    return patchOAuth(this.deps.db, this.server.owner_id, this.server.id, patch);
  }

  async clientInformation(): Promise<OAuthClientInformationMixed | undefined> {
    const row = await this.row();
    if (row?.client_id) return { client_id: row.client_id, ...(row.client_secret_encrypted ? { client_secret: this.open(row.client_secret_encrypted, "client-secret") } : {}) };
    const registered = row?.registration_encrypted ? (JSON.parse(this.open(row.registration_encrypted, "registration")) as OAuthClientInformationMixed & { redirect_uris?: string[] }) : undefined;
    // Registered for another callback address (the app moved, or is reached at another of its addresses): register again.
    if (this.mode.kind === "start" && registered?.redirect_uris && !registered.redirect_uris.includes(this.deps.redirectUrl)) return undefined;
    return registered;
  }

  async saveClientInformation(info: OAuthClientInformationMixed): Promise<void> {
    if (this.mode.kind === "connection") return; // a connection never registers (it would sign in next)
    const row = await this.row();
    // The client the user entered stays theirs (the SDK only stamps it with the authorization server's URL).
    if (row?.client_id) return;
    await this.patch({ registration_encrypted: this.seal(JSON.stringify(info), "registration") });
  }

  async tokens(): Promise<OAuthTokens | undefined> {
    // A sign-in replaces the tokens: the old ones are not offered (nor refreshed) while it runs.
    if (this.mode.kind !== "connection") return undefined;
    const row = await this.row();
    this.version = row?.token_version;
    return row?.tokens_encrypted ? (JSON.parse(this.open(row.tokens_encrypted, "tokens")) as OAuthTokens) : undefined;
  }

  async saveTokens(tokens: OAuthTokens): Promise<void> {
    const sealed = this.seal(JSON.stringify(tokens), "tokens");
    if (this.mode.kind !== "connection") {
      await writeTokens(this.deps.db, this.server.owner_id, this.server.id, sealed, undefined);
      return;
    }
    // A refresh: written only over the version it refreshed. When another instance (or connection) refreshed first,
    // its tokens stay and these are dropped; the next request reads the winner's.
    if (this.version === undefined) return;
    await writeTokens(this.deps.db, this.server.owner_id, this.server.id, sealed, this.version);
  }

  async state(): Promise<string> {
    if (this.mode.kind === "connection") throw new McpSignInRequiredError();
    this.pendingState = randomBytes(32).toString("base64url");
    return this.pendingState;
  }

  async saveCodeVerifier(verifier: string): Promise<void> {
    if (this.mode.kind !== "start" || !this.pendingState) throw new McpSignInRequiredError();
    await this.patch({
      pending_state_hash: hashState(this.pendingState),
      pending_verifier_encrypted: this.seal(verifier, "verifier"),
      pending_expires_at: new Date(Date.now() + SIGN_IN_TTL_MS).toISOString(),
    });
  }

  async codeVerifier(): Promise<string> {
    if (this.mode.kind !== "callback") throw new McpSignInRequiredError();
    return this.mode.verifier;
  }

  async redirectToAuthorization(url: URL): Promise<void> {
    if (this.mode.kind !== "start") throw new McpSignInRequiredError();
    this.authorizationUrl = url;
  }

  async discoveryState(): Promise<OAuthDiscoveryState | undefined> {
    // Sign-in discovers afresh (the server's metadata may have changed since).
    if (this.mode.kind === "start") return undefined;
    const row = await this.row();
    if (this.mode.kind === "connection") {
      // auth() runs here only after a 401: without a refresh token only a sign-in helps, which a connection never starts.
      const tokens = row?.tokens_encrypted ? (JSON.parse(this.open(row.tokens_encrypted, "tokens")) as OAuthTokens) : undefined;
      if (!tokens?.refresh_token) throw new McpSignInRequiredError();
    }
    this.discovered = row?.discovery ? (JSON.parse(row.discovery) as OAuthDiscoveryState) : undefined;
    return this.discovered;
  }

  async saveDiscoveryState(state: OAuthDiscoveryState): Promise<void> {
    this.discovered = state;
    if (this.mode.kind === "connection") return;
    await this.patch({ discovery: JSON.stringify(state) });
  }

  async invalidateCredentials(scope: "all" | "client" | "tokens" | "verifier" | "discovery"): Promise<void> {
    // A connection forgets nothing: a refresh token another instance rotated meanwhile is not a reason to sign the
    // user out. The winner may still be saving its tokens: wait (briefly) for the row to change, so that the SDK's
    // retry reads the winner's tokens. A refresh that fails twice ends as "needs sign-in".
    if (this.mode.kind === "connection") {
      if (scope !== "tokens" || this.version === undefined) return;
      for (const until = Date.now() + WINNER_WAIT_MS; Date.now() < until; await new Promise((resolve) => setTimeout(resolve, 100))) {
        if ((await this.row())?.token_version !== this.version) return;
      }
      return;
    }
    if (scope === "all" || scope === "client") await this.patch({ registration_encrypted: null });
    if (scope === "all" || scope === "discovery") await this.patch({ discovery: null });
  }
}

/** What the API shows of a server's OAuth: whether tokens are stored, and the client the user entered (never its secret). */
export function oauthInfo(row: McpOAuthRow | undefined): McpOAuthInfo {
  return { signedIn: !!row?.tokens_encrypted, clientId: row?.client_id ?? null, clientSecret: !!row?.client_secret_encrypted };
}

/**
 * The sign-in steps the routes run. `fetch` is the MCP dispatcher (SSRF-safe, redirects checked hop by hop);
 * `redirectUrl` is the app's public callback URL.
 */
export class McpOAuth {
  /**
   * `redirectBase` is where the callback is: PUBLIC_URL when set, else the origin the browser uses (given by the
   * route: the start request's Origin, the callback's own address), else the app's first origin.
   */
  constructor(private readonly options: { db: Db; fetch: FetchLike; redirectBase: (browserOrigin?: string) => string }) {}

  /** The provider behind a server's connections. */
  connectionProvider(box: SecretBox, server: Pick<McpServerRow, "id" | "owner_id">): StoredOAuthProvider {
    return new StoredOAuthProvider(this.deps(box), server, { kind: "connection" });
  }

  private deps(box: SecretBox, browserOrigin?: string): Deps {
    return { db: this.options.db, box, redirectUrl: new URL(CALLBACK_PATH, this.options.redirectBase(browserOrigin)).href };
  }

  /**
   * Starts a sign-in: asks the server (it should answer 401 with where its authorization server is), discovers,
   * registers the app if the server offers that and no client id was entered, and returns the authorization URL
   * (PKCE S256, a state bound to this user and server).
   */
  async start(box: SecretBox, server: McpServerRow, browserOrigin?: string): Promise<URL> {
    const probe = await this.probe(server.url);
    const provider = new StoredOAuthProvider(this.deps(box, browserOrigin), server, { kind: "start" });
    let result;
    try {
      result = await auth(provider, { serverUrl: server.url, ...probe, fetchFn: this.options.fetch });
    } catch (error) {
      throw explain(error);
    }
    if (result !== "REDIRECT" || !provider.authorizationUrl) throw new OAuthFlowError(502, "oauth_failed", "The server's sign-in service did not give an address to sign in at. Try again later.");
    const methods = (await getOAuth(this.options.db, server.owner_id, server.id))?.discovery;
    const metadata = methods ? (JSON.parse(methods) as OAuthDiscoveryState).authorizationServerMetadata : undefined;
    // The spec refuses an authorization server that does not say it supports PKCE (the SDK does not check).
    if (metadata && !metadata.code_challenge_methods_supported?.includes("S256")) {
      throw new OAuthFlowError(502, "oauth_unsupported", "The server's sign-in service does not say it supports PKCE (S256), which MCP requires; this app does not sign in to it.");
    }
    return provider.authorizationUrl;
  }

  /**
   * The browser came back from the authorization server. The state must be a pending sign-in of this user
   * (another user's state, an old one or one already used is refused); then the code is exchanged and the tokens
   * stored. Returns the server's id.
   */
  async finish(box: SecretBox, ownerId: string, browserOrigin: string, query: { code?: string | undefined; state?: string | undefined; error?: string | undefined; error_description?: string | undefined; iss?: string | undefined }, servers: (id: string) => Promise<McpServerRow | undefined>): Promise<McpServerRow> {
    if (!query.state) throw new OAuthFlowError(400, "invalid_state", "This sign-in address has no state, so it cannot be checked. Start the sign-in again from MCP servers.");
    const pending = await takePending(this.options.db, ownerId, hashState(query.state));
    const server = pending && (await servers(pending.server_id));
    if (!pending || !server) throw new OAuthFlowError(400, "invalid_state", "This sign-in is not one you started, or it was already finished. Start the sign-in again from MCP servers.");
    if (!pending.pending_expires_at || Date.parse(pending.pending_expires_at) < Date.now()) throw new OAuthFlowError(400, "expired_state", "This sign-in took too long (more than 10 minutes). Start it again from MCP servers.");
    if (query.error) {
      const said = query.error_description ? `: ${query.error_description.slice(0, 300)}` : "";
      throw new OAuthFlowError(400, "sign_in_refused", `The sign-in was not completed (${query.error.slice(0, 100)}${said}). Start it again from MCP servers if you want to connect.`);
    }
    if (!query.code) throw new OAuthFlowError(400, "invalid_callback", "The server's sign-in service sent no code back. Start the sign-in again from MCP servers.");
    const discovery = pending.discovery ? (JSON.parse(pending.discovery) as OAuthDiscoveryState) : undefined;
    // RFC 9207: an issuer in the answer must be the one this sign-in went to (a mix-up attack otherwise).
    const issuer = discovery?.authorizationServerMetadata?.issuer;
    if (query.iss !== undefined && issuer !== undefined && query.iss !== issuer) throw new OAuthFlowError(400, "issuer_mismatch", "The sign-in came back from another authorization server than the one it went to. Start it again from MCP servers.");
    const verifier = box.decrypt(pending.pending_verifier_encrypted ?? "", oauthContext(server.id, "verifier"));
    const provider = new StoredOAuthProvider(this.deps(box, browserOrigin), server, { kind: "callback", verifier });
    try {
      await auth(provider, { serverUrl: server.url, authorizationCode: query.code, ...(discovery?.resourceMetadataUrl ? { resourceMetadataUrl: new URL(discovery.resourceMetadataUrl) } : {}), fetchFn: this.options.fetch });
    } catch (error) {
      throw explain(error);
    }
    return server;
  }

  /**
   * Disconnect: the tokens and any pending sign-in are forgotten first (taken from the row with a compare-and-swap,
   * so tokens a connection rotated meanwhile are the ones taken), then the authorization server is asked to revoke
   * what was taken when it offers that (mcp-oauth-revoke.ts). The client the user entered stays. Called through
   * McpTools.endSignIn, which drops the user's live connections before. Without the key that seals the tokens (`box` undefined) they cannot be
   * read, so cannot be revoked.
   */
  async disconnect(box: SecretBox | undefined, server: Pick<McpServerRow, "id" | "owner_id">): Promise<McpDisconnectReply> {
    const { db } = this.options;
    let row = await getOAuth(db, server.owner_id, server.id);
    if (!row) return { revocation: "nothing_stored" };
    await patchOAuth(db, server.owner_id, server.id, { pending_state_hash: null, pending_verifier_encrypted: null, pending_expires_at: null });
    for (let attempt = 0; row?.tokens_encrypted; attempt++) {
      // Over the version read; after three rotations in a row, over whatever is there.
      if (await writeTokens(db, server.owner_id, server.id, null, attempt < 3 ? row.token_version : undefined)) break;
      row = await getOAuth(db, server.owner_id, server.id);
    }
    if (!row?.tokens_encrypted) return { revocation: "nothing_stored" };
    if (!box) return { revocation: "failed", problem: "the key that encrypts them (SECRET_KEY) is not set, so they cannot be read" };
    let tokens: OAuthTokens;
    try {
      tokens = JSON.parse(box.decrypt(row.tokens_encrypted, oauthContext(server.id, "tokens"))) as OAuthTokens;
    } catch (error) {
      return { revocation: "failed", problem: `the stored tokens could not be read (${(error as Error).message})` };
    }
    const discovery = row.discovery ? (JSON.parse(row.discovery) as OAuthDiscoveryState) : undefined;
    const client = await new StoredOAuthProvider(this.deps(box), server, { kind: "connection" }).clientInformation().catch(() => undefined);
    return revokeTokens({ fetch: this.options.fetch, metadata: discovery?.authorizationServerMetadata, client, tokens });
  }

  /** An unauthenticated initialize: a server that wants sign-in answers 401 and says where its metadata is. */
  private async probe(url: string): Promise<{ resourceMetadataUrl?: URL; scope?: string }> {
    let response: Response;
    try {
      response = await this.options.fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": LATEST_PROTOCOL_VERSION },
        body: JSON.stringify({ jsonrpc: "2.0", id: 0, method: "initialize", params: { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: CLIENT_NAME, version: "0.1.0" } } }),
        signal: AbortSignal.timeout(15_000),
      });
    } catch (error) {
      throw new OAuthFlowError(502, "unreachable", `The server could not be reached: ${(error as Error).message}`);
    }
    await response.body?.cancel().catch(() => undefined);
    if (response.status !== 401) {
      throw new OAuthFlowError(409, "no_sign_in", response.ok ? "This server does not ask for sign-in: it is usable as it is." : `The server answered HTTP ${response.status}, not 401, so it does not ask for OAuth sign-in. Check its address.`);
    }
    const { resourceMetadataUrl, scope } = extractWWWAuthenticateParams(response);
    return { ...(resourceMetadataUrl ? { resourceMetadataUrl } : {}), ...(scope ? { scope } : {}) };
  }
}

/** The SDK's errors in words that say what to do. */
function explain(error: unknown): OAuthFlowError {
  if (error instanceof OAuthFlowError) return error;
  const message = (error as Error)?.message ?? String(error);
  if (/does not support dynamic client registration/.test(message)) {
    return new OAuthFlowError(400, "client_id_required", "This server's sign-in service does not let apps register themselves. Enter the Client ID (and Client secret) its operator gave you for this app, then sign in.");
  }
  if (/Protected Resource Metadata|trying to load well-known OAuth|metadata from/.test(message)) {
    return new OAuthFlowError(502, "oauth_discovery_failed", `The server asks for sign-in but its OAuth metadata could not be read (${message}). If it takes a token instead, set its Authorization header.`);
  }
  if (error instanceof OAuthError) {
    const client = error.errorCode === "invalid_client" || error.errorCode === "unauthorized_client";
    return new OAuthFlowError(502, "oauth_refused", client
      ? `The server's sign-in service refused this app's client (${error.errorCode}). Check the Client ID and Client secret, then sign in again.`
      : `The server's sign-in service refused the sign-in (${error.errorCode}${error.message ? `: ${error.message}` : ""}). Start it again from MCP servers.`);
  }
  return new OAuthFlowError(502, "oauth_failed", `The sign-in failed: ${message}`);
}
