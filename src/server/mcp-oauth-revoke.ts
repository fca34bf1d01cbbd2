import { selectClientAuthMethod } from "@modelcontextprotocol/sdk/client/auth.js";
import type { AuthorizationServerMetadata, OAuthClientInformationMixed, OAuthTokens } from "@modelcontextprotocol/sdk/shared/auth.js";
import type { FetchLike } from "@modelcontextprotocol/sdk/shared/transport.js";
import { z } from "zod";
import type { McpRevocation } from "../shared/mcp.js";

/** The fields of authorization-server metadata (RFC 8414) that revocation needs; OpenID metadata may carry them too. */
const RevocationMetadata = z.object({
  revocation_endpoint: z.url({ protocol: /^https?$/ }).optional(),
  revocation_endpoint_auth_methods_supported: z.array(z.string()).optional(),
});

/** How long one revocation request may take (a Disconnect waits for it). */
const REVOKE_TIMEOUT_MS = 10_000;

/**
 * Asks the authorization server to revoke a sign-in's tokens (RFC 7009), when its metadata names a revocation
 * endpoint: the refresh token first (on most servers that ends the whole grant), then the access token, each
 * with the client's authentication (RFC 6749 section 2.3, the method the server offers for revocation). The
 * server answers 200 for a token it revoked and for one it did not know; anything else is a failure, said in
 * `problem`. Never throws: the caller forgets the tokens whatever happens here.
 */
export async function revokeTokens(options: {
  fetch: FetchLike;
  metadata: AuthorizationServerMetadata | undefined;
  client: OAuthClientInformationMixed | undefined;
  tokens: OAuthTokens;
}): Promise<{ revocation: Exclude<McpRevocation, "nothing_stored">; problem?: string }> {
  const metadata = RevocationMetadata.safeParse(options.metadata ?? {});
  if (!metadata.success) return { revocation: "failed", problem: "the server's OAuth metadata names no usable revocation endpoint" };
  const endpoint = metadata.data.revocation_endpoint;
  if (!endpoint) return { revocation: "not_offered" };
  if (!options.client) return { revocation: "failed", problem: "the app's client for this server is not known any more" };
  const method = selectClientAuthMethod(options.client, metadata.data.revocation_endpoint_auth_methods_supported ?? []);
  const tokens: [string, "refresh_token" | "access_token"][] = [
    ...(options.tokens.refresh_token ? [[options.tokens.refresh_token, "refresh_token"] as [string, "refresh_token"]] : []),
    [options.tokens.access_token, "access_token"],
  ];
  for (const [token, hint] of tokens) {
    const body = new URLSearchParams({ token, token_type_hint: hint });
    const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded", accept: "application/json" };
    const { client_id: id, client_secret: secret } = options.client;
    if (method === "client_secret_basic" && secret !== undefined) {
      // RFC 6749 section 2.3.1: each part form-encoded, then joined and base64-encoded.
      headers["authorization"] = `Basic ${Buffer.from(`${formEncode(id)}:${formEncode(secret)}`).toString("base64")}`;
    } else {
      body.set("client_id", id);
      if (method === "client_secret_post" && secret !== undefined) body.set("client_secret", secret);
    }
    let response: Response;
    try {
      response = await options.fetch(endpoint, { method: "POST", headers, body: body.toString(), signal: AbortSignal.timeout(REVOKE_TIMEOUT_MS) });
    } catch (error) {
      return { revocation: "failed", problem: `the revocation endpoint could not be reached (${(error as Error).message})` };
    }
    const text = await response.text().catch(() => "");
    if (response.status !== 200) return { revocation: "failed", problem: `the revocation endpoint answered HTTP ${response.status}${oauthErrorOf(text)}` };
  }
  return { revocation: "revoked" };
}

function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
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
