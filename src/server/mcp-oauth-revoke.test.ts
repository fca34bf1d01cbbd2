import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { AuthorizationServerMetadata } from "@modelcontextprotocol/sdk/shared/auth.js";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createSafeFetch, type SafeFetch } from "../net/safe-fetch.js";
import { revokeTokens } from "./mcp-oauth-revoke.js";

/**
 * Token revocation (RFC 7009) against a revocation endpoint on 127.0.0.1, through the app's SSRF-safe fetch: what
 * is sent (the token, its hint, the client's authentication), what counts as revoked, and what is never done
 * (following a redirect with the tokens, sending them over plain HTTP to another machine).
 */

interface Seen {
  path: string;
  authorization: string | undefined;
  form: Record<string, string>;
}
const seen: Seen[] = [];
/** How the endpoint answers each token hint: a status and a JSON body, or a redirect to `/elsewhere`. */
let answer: (hint: string) => { status: number; body?: object; location?: string } = () => ({ status: 200, body: {} });
let server: Server;
let base: string;
let safeFetch: SafeFetch;

async function bodyOf(req: IncomingMessage): Promise<string> {
  let text = "";
  for await (const chunk of req) text += chunk;
  return text;
}

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const form = Object.fromEntries(new URLSearchParams(await bodyOf(req)));
    seen.push({ path: req.url ?? "", authorization: req.headers.authorization, form });
    const { status, body, location } = answer(form["token_type_hint"] ?? "");
    res.writeHead(status, { "content-type": "application/json", ...(location ? { location: `${base}${location}` } : {}) }).end(body ? JSON.stringify(body) : "");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  safeFetch = createSafeFetch({ policy: { allowPrivate: true, allowMetadata: false } });
});
afterAll(async () => {
  await safeFetch.close();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  seen.length = 0;
  answer = () => ({ status: 200, body: {} });
});

const metadata = (extra: object = {}) => ({ issuer: base, authorization_endpoint: `${base}/authorize`, token_endpoint: `${base}/token`, response_types_supported: ["code"], revocation_endpoint: `${base}/revoke`, ...extra }) as AuthorizationServerMetadata;
const tokens = { access_token: "at_1", token_type: "bearer", refresh_token: "rt_1" };
const secretClient = { client_id: "app id", client_secret: "s3cret/+=" };

describe("revokeTokens", () => {
  it("revokes the refresh token, then the access token, authenticating the client as the server offers (Basic by default)", async () => {
    const outcome = await revokeTokens({ fetch: safeFetch, metadata: metadata(), client: secretClient, tokens });
    expect(outcome).toEqual({ revocation: "revoked" });
    expect(seen.map((s) => [s.path, s.form["token"], s.form["token_type_hint"]])).toEqual([
      ["/revoke", "rt_1", "refresh_token"],
      ["/revoke", "at_1", "access_token"],
    ]);
    // As the SDK authenticates its token requests (RFC 8414's default method when none is listed).
    expect(seen[0]!.authorization).toBe(`Basic ${Buffer.from("app id:s3cret/+=").toString("base64")}`);
    expect(seen[0]!.form["client_secret"]).toBeUndefined();
  });

  it("sends the secret in the form where the server only takes client_secret_post, and only the id for a public client", async () => {
    await revokeTokens({ fetch: safeFetch, metadata: metadata({ revocation_endpoint_auth_methods_supported: ["client_secret_post"] }), client: secretClient, tokens });
    expect(seen[0]).toMatchObject({ authorization: undefined, form: { client_id: "app id", client_secret: "s3cret/+=" } });
    seen.length = 0;
    await revokeTokens({ fetch: safeFetch, metadata: metadata(), client: { client_id: "public" }, tokens });
    expect(seen[0]).toMatchObject({ authorization: undefined, form: { client_id: "public" } });
    expect(seen[0]!.form["client_secret"]).toBeUndefined();
  });

  it("counts the grant as ended when its refresh token was revoked, even if the server will not revoke access tokens", async () => {
    answer = (hint) => (hint === "access_token" ? { status: 400, body: { error: "unsupported_token_type" } } : { status: 200 });
    expect(await revokeTokens({ fetch: safeFetch, metadata: metadata(), client: secretClient, tokens })).toEqual({ revocation: "revoked" });
    answer = () => ({ status: 204 });
    expect(await revokeTokens({ fetch: safeFetch, metadata: metadata(), client: secretClient, tokens })).toEqual({ revocation: "revoked" });
  });

  it("says why when the server refuses, and still tries the access token", async () => {
    answer = (hint) => (hint === "refresh_token" ? { status: 401, body: { error: "invalid_client", error_description: "Invalid client_secret" } } : { status: 200 });
    const outcome = await revokeTokens({ fetch: safeFetch, metadata: metadata(), client: secretClient, tokens });
    expect(outcome).toEqual({ revocation: "failed", problem: "the revocation endpoint answered HTTP 401: invalid_client (Invalid client_secret)" });
    expect(seen.map((s) => s.form["token_type_hint"])).toEqual(["refresh_token", "access_token"]);
  });

  it("never follows a redirect: the tokens and the secret do not go where it points, and nothing counts as revoked", async () => {
    for (const status of [302, 307]) {
      seen.length = 0;
      answer = () => ({ status, location: "/elsewhere" });
      const outcome = await revokeTokens({ fetch: safeFetch, metadata: metadata({ revocation_endpoint_auth_methods_supported: ["client_secret_post"] }), client: secretClient, tokens });
      expect(outcome).toEqual({ revocation: "failed", problem: `the revocation endpoint answered with a redirect (HTTP ${status}), which is not followed` });
      expect(seen.map((s) => s.path)).toEqual(["/revoke", "/revoke"]);
    }
  });

  it("sends no token over plain HTTP to another machine, and says when the server offers no revocation or its metadata is gone", async () => {
    expect(await revokeTokens({ fetch: safeFetch, metadata: metadata({ revocation_endpoint: "http://auth.example.com/revoke" }), client: secretClient, tokens })).toEqual({
      revocation: "failed",
      problem: "the server's revocation endpoint (http://auth.example.com) is not HTTPS, and tokens are not sent in the clear",
    });
    expect(await revokeTokens({ fetch: safeFetch, metadata: metadata({ revocation_endpoint: undefined }), client: secretClient, tokens })).toEqual({ revocation: "not_offered" });
    expect((await revokeTokens({ fetch: safeFetch, metadata: undefined, client: secretClient, tokens })).revocation).toBe("failed");
    expect(seen).toEqual([]);
  });
});
