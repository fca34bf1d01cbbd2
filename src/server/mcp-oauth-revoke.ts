import { selectClientAuthMethod } from "@modelcontextprotocol/sdk/client/auth.js";
import type { AuthorizationServerMetadata, OAuthClientInformationMixed, OAuthTokens } from "@modelcontextprotocol/sdk/shared/auth.js";
import type { FetchLike } from "@modelcontextprotocol/sdk/shared/transport.js";
import { z } from "zod";
import type { McpRevocation } from "../shared/mcp.js";

/** The fields of authorization-server metadata (RFC 8414) that revocation needs; OpenID metadata may carry them too. */
const RevocationMetadata = z.object({
  revocation_endpoint: z.string().optional(),
  revocation_endpoint_auth_methods_supported: z.array(z.string()).optional(),
});

/** How long one revocation request may take (a Disconnect waits for it, two at most). */
const REVOKE_TIMEOUT_MS = 5_000;

type Outcome = { revocation: Exclude<McpRevocation, "nothing_stored">; problem?: string };

/**
 * Asks the authorization server to revoke a sign-in's tokens (RFC 7009), when its metadata names a revocation
 * endpoint: the refresh token first (revoking it ends the grant, access tokens included, on servers that follow
 * the RFC's SHOULD), then the access token, each with the client's authentication (RFC 6749 section 2.3, the
 * method the server offers for revocation). Revoked means the grant ended: the refresh token was revoked (or,
 * without one, the access token). A redirect is never followed (it would carry the tokens and the client's secret
 * elsewhere) and counts as a failure. Never throws: the caller has already forgotten the tokens.
 */
export async function revokeTokens(options: {
  fetch: FetchLike;
  metadata: AuthorizationServerMetadata | undefined;
  client: OAuthClientInformationMixed | undefined;
  tokens: OAuthTokens;
}): Promise<Outcome> {
  if (!options.metadata) return { revocation: "failed", problem: "the server's sign-in metadata is not stored any more, so where to revoke them is not known" };
  const parsed = RevocationMetadata.safeParse(options.metadata);
  const { revocation_endpoint: endpoint, revocation_endpoint_auth_methods_supported: methods = [] } = parsed.success ? parsed.data : {};
  if (!endpoint) return { revocation: "not_offered" };
  const refused = refusedEndpoint(endpoint);
  if (refused) return { revocation: "failed", problem: refused };
  if (!options.client) return { revocation: "failed", problem: "the app's client for this server is not known any more" };
  const client = options.client;
  const method = selectClientAuthMethod(client, methods);
  const revoke = (token: string, hint: "refresh_token" | "access_token") => revokeOne(options.fetch, endpoint, client, method, token, hint);

  const grant = options.tokens.refresh_token ? await revoke(options.tokens.refresh_token, "refresh_token") : undefined;
  const access = await revoke(options.tokens.access_token, "access_token");
  // The grant ended with its refresh token: an access token the server will not revoke on its own (RFC 7009
  // section 2.2.1, unsupported_token_type) ends when it expires, as it would have.
  const ended = grant === undefined ? access : grant;
  return ended === null ? { revocation: "revoked" } : { revocation: "failed", problem: ended };
}

/** One token to the revocation endpoint: null when the server took it (any 2xx), else what went wrong. */
async function revokeOne(fetch: FetchLike, endpoint: string, client: OAuthClientInformationMixed, method: string, token: string, hint: string): Promise<string | null> {
  const body = new URLSearchParams({ token, token_type_hint: hint });
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded", accept: "application/json" };
  const { client_id: id, client_secret: secret } = client;
  if (method === "client_secret_basic" && secret !== undefined) {
    // As the SDK authenticates the token requests that signed in (id:secret, base64), so that a client that could
    // sign in can revoke.
    headers["authorization"] = `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`;
  } else {
    body.set("client_id", id);
    if (method === "client_secret_post" && secret !== undefined) body.set("client_secret", secret);
  }
  let response: Response;
  try {
    response = await fetch(endpoint, { method: "POST", headers, body: body.toString(), redirect: "manual", signal: AbortSignal.timeout(REVOKE_TIMEOUT_MS) });
  } catch (error) {
    return `the revocation endpoint could not be reached (${(error as Error).message})`;
  }
  const text = await response.text().catch(() => "");
  if (response.status >= 200 && response.status < 300) return null;
  if (response.status >= 300 && response.status < 400) return `the revocation endpoint answered with a redirect (HTTP ${response.status}), which is not followed`;
  return `the revocation endpoint answered HTTP ${response.status}${oauthErrorOf(text)}`;
}

/** Why an endpoint is not one to send tokens to: not HTTPS (plain HTTP only on this machine), or not a URL. */
function refusedEndpoint(endpoint: string): string | undefined {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return "the server's revocation endpoint is not a URL";
  }
  if (url.protocol === "https:") return undefined;
  if (url.protocol === "http:" && ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname)) return undefined;
  return `the server's revocation endpoint (${url.origin}) is not HTTPS, and tokens are not sent in the clear`;
}

/** ": invalid_client (Invalid client_secret)" from an OAuth error body, or nothing. */
function oauthErrorOf(text: string): string {
  try {
    const parsed = JSON.parse(text) as { error?: unknown; error_description?: unknown };
    if (typeof parsed.error !== "string") return "";
    return `: ${parsed.error.slice(0, 60)}${typeof parsed.error_description === "string" ? ` (${parsed.error_description.slice(0, 200)})` : ""}`;
  } catch {
    return "";
  }
}
