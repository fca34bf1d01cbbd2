import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SecretBox, type SecretKeys } from "../src/secrets/secret-box.js";
import { McpTools } from "../src/server/mcp.js";
import { openDatabase, type Db } from "../src/store/db.js";
import { startOAuthMcpServer, type OAuthMcpServer } from "./mcp/oauth-server.js";
import { useBedrockEmulator } from "./helpers/bedrock-env.js";
import { readEvents, signIn, startChatServer, waitFor, type ChatServer, type Session } from "./helpers/chat-server.js";
import { databases } from "./helpers/databases.js";
import { LogLines } from "./helpers/log-lines.js";

const env = useBedrockEmulator();
const FIXED_CLIENT = { id: "chat-app-fixed-client", secret: "fixed-client-secret-3f9a1c77" };

/**
 * OAuth-protected MCP servers per user (issue 11), through the API on each storage engine, against our own
 * OAuth MCP server on 127.0.0.1 (test/mcp/oauth-server.ts): 401 → needs sign-in, sign-in through the
 * authorization server and the callback, tokens sealed in the row, refresh, two instances refreshing one rotating
 * refresh token, Disconnect, a client id and secret where registration is off, and other users kept out.
 */
describe.each(databases)("OAuth MCP servers on $name", (kind) => {
  if (!kind.available) {
    it.skip("PostgreSQL is not installed here (apt-get install postgresql)", () => undefined);
    return;
  }
  let server: ChatServer;
  let location: string;
  let withRegistration: OAuthMcpServer;
  let withoutRegistration: OAuthMcpServer;
  let alice: Session;
  let bob: Session;
  let aliceId: string;
  const logs = new LogLines();
  /** Every answer the API gave in this suite (checked for secrets at the end). */
  const answers: string[] = [];
  const box = new SecretBox(randomBytes(32));
  const keys: SecretKeys = { available: true, box, source: "SECRET_KEY" };
  const recorded = (session: Session): Session => ({
    cookie: session.cookie,
    api: async (method, path, body, headers) => {
      const answer = await session.api(method, path, body, headers);
      const sent: string[] = [];
      answer.headers.forEach((value, name) => sent.push(`${name}: ${value}`));
      answers.push(JSON.stringify(answer.body ?? ""), ...sent);
      return answer;
    },
  });

  beforeAll(async () => {
    withRegistration = await startOAuthMcpServer();
    withoutRegistration = await startOAuthMcpServer({ registration: false, fixedClient: FIXED_CLIENT, revocation: false });
    location = await kind.location();
    server = await startChatServer({ authMode: "local", database: location, signInAttemptsPerIp: 1000, logLevel: "info", logStream: logs, mcp: { keys, allowPrivateNetworks: true } });
    await server.api("POST", "/auth/setup", { email: "alice@example.com", password: "alice long password", token: server.app.setupToken });
    alice = recorded(await signIn(server, "alice@example.com", "alice long password"));
    await alice.api("POST", "/api/admin/users", { email: "bob@example.com", password: "bob's long password" });
    bob = recorded(await signIn(server, "bob@example.com", "bob's long password"));
    aliceId = (await alice.api("GET", "/api/session")).body.user.id as string;
  });
  afterAll(async () => {
    if (server) {
      await waitFor(async () => server.app.generations.runningCount(), (n) => n === 0);
      await server.close();
    }
    await withRegistration?.close();
    await withoutRegistration?.close();
  });

  /** What a browser does after Sign in: to the authorization server (which approves at once), back to our callback with the user's cookie. */
  async function followSignIn(authorizationUrl: string, cookie: string): Promise<{ callback: string; finish: (asCookie?: string) => Promise<{ status: number; text: string }> }> {
    const approved = await fetch(authorizationUrl, { redirect: "manual" });
    expect(approved.status).toBe(302);
    const callback = approved.headers.get("location")!;
    expect(callback.startsWith(`${server.url}/api/mcp/oauth/callback?`)).toBe(true);
    return {
      callback,
      finish: async (asCookie = cookie) => {
        const res = await fetch(callback, { redirect: "manual", headers: { cookie: asCookie, accept: "text/html" } });
        const text = await res.text();
        answers.push(text);
        return { status: res.status, text };
      },
    };
  }

  async function signInTo(session: Session, serverId: string): Promise<{ status: number; text: string }> {
    const start = await session.api("POST", `/api/mcp/servers/${serverId}/oauth/start`);
    expect(start.status, JSON.stringify(start.body)).toBe(200);
    const { finish } = await followSignIn(start.body.authorizationUrl, session.cookie);
    return finish();
  }

  const oauthRow = (serverId: string) => server.db.selectFrom("mcp_oauth").selectAll().where("server_id", "=", serverId).executeTakeFirst();
  let secureId: string;

  it("a server that answers 401 needs sign-in; after Sign in its tokens are stored sealed and its tools work in an answer", async () => {
    const added = await alice.api("POST", "/api/mcp/servers", { name: "secure", url: withRegistration.url });
    expect(added.status).toBe(201);
    secureId = added.body.server.id;
    expect(added.body.server.oauth).toEqual({ signedIn: false, clientId: null, clientSecret: false });
    const before = await alice.api("GET", `/api/mcp/servers/${secureId}/tools`);
    expect(before.body).toMatchObject({ status: "needs_sign_in", tools: [] });
    expect(before.body.error).toMatch(/sign in/);
    // A connection never registers a client nor starts a sign-in by itself.
    expect(withRegistration.counts.registrations).toBe(0);

    const start = await alice.api("POST", `/api/mcp/servers/${secureId}/oauth/start`);
    expect(start.status).toBe(200);
    const authorizationUrl = new URL(start.body.authorizationUrl);
    expect(authorizationUrl.origin + authorizationUrl.pathname).toBe(new URL("/authorize", withRegistration.issuer).href);
    expect(authorizationUrl.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorizationUrl.searchParams.get("redirect_uri")).toBe(`${server.url}/api/mcp/oauth/callback`);
    expect(authorizationUrl.searchParams.get("resource")).toBe(withRegistration.url);
    expect(authorizationUrl.searchParams.get("state")).toMatch(/^[\w-]{40,}$/);
    expect(withRegistration.counts.registrations).toBe(1);
    const { finish } = await followSignIn(start.body.authorizationUrl, alice.cookie);
    const done = await finish();
    expect(done.status).toBe(200);
    expect(done.text).toContain("You are signed in to secure");
    expect(withRegistration.counts.codeExchanges).toBe(1);

    // Sealed at rest: no token or client secret in the row, in any column.
    const row = (await oauthRow(secureId))!;
    expect(row.tokens_encrypted).toMatch(/^v1:/);
    expect(row.registration_encrypted).toMatch(/^v1:/);
    expect(row.pending_state_hash).toBeNull();
    const rowText = JSON.stringify(row);
    for (const value of [...withRegistration.issued.accessTokens, ...withRegistration.issued.refreshTokens, ...withRegistration.issued.clientSecrets]) expect(rowText).not.toContain(value);
    expect(withRegistration.issued.clientSecrets.length).toBe(1);

    const listed = (await alice.api("GET", "/api/mcp/servers")).body.servers.find((s: { id: string }) => s.id === secureId);
    expect(listed.oauth).toEqual({ signedIn: true, clientId: null, clientSecret: false });
    const tools = await alice.api("GET", `/api/mcp/servers/${secureId}/tools`);
    expect(tools.body.status).toBe("connected");
    expect(tools.body.tools.map((t: { name: string }) => t.name).sort()).toEqual(["echo", "whoami"]);

    // Its tools run without asking (approvals are another suite's subject).
    expect((await alice.api("PATCH", `/api/mcp/servers/${secureId}`, { askBeforeRunning: false })).status).toBe(200);
    const thread = (await alice.api("POST", "/api/threads", { profile: "Amazon Nova Pro" })).body.thread.id;
    env.emulator.enqueue({ blocks: [{ toolUse: { id: "tooluse_oauth", name: "secure__echo", input: { message: "through OAuth" } } }] });
    const posted = await alice.api("POST", `/api/threads/${thread}/messages`, { text: "use the secure server" });
    const { events } = await readEvents(`${server.url}/api/generations/${posted.body.generationId}/events`, { headers: { cookie: alice.cookie } });
    expect(events.find((e) => e.event === "tool_result")?.data, JSON.stringify(events)).toMatchObject({ toolUseId: "tooluse_oauth", status: "success", text: expect.stringContaining("echo: through OAuth") });
    expect(events.at(-1)!.data).toMatchObject({ type: "done", status: "complete" });
  });

  it("refreshes an expired access token (the refresh token rotates) and stays connected", async () => {
    const row = (await oauthRow(secureId))!;
    const refreshes = withRegistration.counts.refreshes;
    withRegistration.expireAccessTokens();
    const tools = await alice.api("GET", `/api/mcp/servers/${secureId}/tools`);
    expect(tools.body.status, JSON.stringify(tools.body)).toBe("connected");
    expect(withRegistration.counts.refreshes).toBe(refreshes + 1);
    const after = (await oauthRow(secureId))!;
    expect(after.token_version).toBe(row.token_version + 1);
    expect(after.tokens_encrypted).not.toBe(row.tokens_encrypted);
  });

  it("two instances refreshing one rotating refresh token at once both stay connected (compare-and-swap)", async () => {
    const second = kind.name === "postgres" ? await openDatabase(location) : server.db;
    const instances = [server.db, second].map((db: Db) => new McpTools({ db, keys, policy: { allowPrivate: true, allowMetadata: false } }));
    withRegistration.options.tokenDelayMs = 300;
    const refusals = withRegistration.counts.refreshRefusals;
    try {
      withRegistration.expireAccessTokens();
      const turns = await Promise.all(instances.map((mcp) => mcp.forTurn(aliceId)));
      // One of them used the refresh token first; the other was refused (the token rotated) and took the winner's.
      expect(withRegistration.counts.refreshRefusals).toBeGreaterThan(refusals);
      for (const turn of turns) {
        expect(turn!.notices).toEqual([]);
        const result = await turn!.executor.call("secure__whoami", {});
        expect(result.status).toBe("success");
        await turn!.close();
      }
      // And the stored tokens still work for a third connection, without a sign-in.
      const tools = await alice.api("GET", `/api/mcp/servers/${secureId}/tools`);
      expect(tools.body.status).toBe("connected");
    } finally {
      withRegistration.options.tokenDelayMs = 0;
      await Promise.all(instances.map((mcp) => mcp.closeAll()));
      if (second !== server.db) await second.destroy();
    }
  });

  it("keeps other users out: every new route answers 404 for another user's ids, and their sign-in state is refused", async () => {
    for (const [method, path, body] of [
      ["POST", `/api/mcp/servers/${secureId}/oauth/start`, undefined],
      ["DELETE", `/api/mcp/servers/${secureId}/oauth`, undefined],
      ["PATCH", `/api/mcp/servers/${secureId}`, { clientId: "bob-client", clientSecret: "bob-secret" }],
      ["GET", `/api/mcp/servers/${secureId}/tools`, undefined],
    ] as const) {
      expect((await bob.api(method, path, body)).status, `${method} ${path}`).toBe(404);
    }
    expect((await bob.api("GET", "/api/mcp/servers")).body.servers).toEqual([]);
    expect((await oauthRow(secureId))!.tokens_encrypted).not.toBeNull();

    // Alice starts a sign-in; Bob gets her callback address (a link, say) and opens it: refused, hers still works.
    const start = await alice.api("POST", `/api/mcp/servers/${secureId}/oauth/start`);
    const { finish } = await followSignIn(start.body.authorizationUrl, alice.cookie);
    const asBob = await finish(bob.cookie);
    expect(asBob.status).toBe(400);
    expect(asBob.text).toContain("not one you started");
    expect((await alice.api("GET", `/api/mcp/servers/${secureId}/tools`)).body.status).toBe("connected");
    expect((await finish()).status).toBe(200);
    // Used once: the same address again is refused; without a session it is 401.
    expect((await finish()).status).toBe(400);
    const json = await fetch(`${server.url}/api/mcp/oauth/callback?state=nope&code=x`, { headers: { cookie: alice.cookie } });
    expect(json.status).toBe(400);
    expect(((await json.json()) as { error: { code: string } }).error.code).toBe("invalid_state");
    expect((await fetch(`${server.url}/api/mcp/oauth/callback?state=nope&code=x`)).status).toBe(401);
  });

  it("Disconnect revokes the tokens at the authorization server (RFC 7009) and forgets them: the server needs sign-in again", async () => {
    const { access_token: accessToken, refresh_token: refreshToken } = JSON.parse(box.decrypt((await oauthRow(secureId))!.tokens_encrypted!, `mcp-oauth:${secureId}:tokens`)) as { access_token: string; refresh_token: string };
    const revokedBefore = withRegistration.revoked.length;
    const disconnected = await alice.api("DELETE", `/api/mcp/servers/${secureId}/oauth`);
    expect(disconnected.status).toBe(200);
    expect(disconnected.body).toEqual({ revocation: "revoked" });
    // The refresh token first (it ends the grant on most servers), then the access token, by the app's own client.
    expect(withRegistration.revoked.slice(revokedBefore).map((r) => [r.token, r.hint])).toEqual([
      [refreshToken, "refresh_token"],
      [accessToken, "access_token"],
    ]);
    const mcpWithOldToken = await fetch(withRegistration.url, { method: "POST", headers: { authorization: `Bearer ${accessToken}`, "content-type": "application/json", accept: "application/json, text/event-stream" }, body: "{}" });
    expect(mcpWithOldToken.status).toBe(401);
    expect((await oauthRow(secureId))!.tokens_encrypted).toBeNull();
    const listed = (await alice.api("GET", "/api/mcp/servers")).body.servers.find((s: { id: string }) => s.id === secureId);
    expect(listed.oauth.signedIn).toBe(false);
    expect((await alice.api("GET", `/api/mcp/servers/${secureId}/tools`)).body.status).toBe("needs_sign_in");
  });

  it("a server without dynamic registration takes a client id and secret (the secret sealed, shown only as set)", async () => {
    const added = await alice.api("POST", "/api/mcp/servers", { name: "fixed", url: withoutRegistration.url });
    const id = added.body.server.id as string;
    expect((await alice.api("GET", `/api/mcp/servers/${id}/tools`)).body.status).toBe("needs_sign_in");
    const refused = await alice.api("POST", `/api/mcp/servers/${id}/oauth/start`);
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: "client_id_required", message: expect.stringContaining("Client ID") });

    expect((await alice.api("PATCH", `/api/mcp/servers/${id}`, { clientSecret: "alone" })).body.error.code).toBe("client_id_required");
    expect((await alice.api("PATCH", `/api/mcp/servers/${id}`, { clientId: "bad\u0000id" })).body.error.message).toMatch(/NUL/);
    const patched = await alice.api("PATCH", `/api/mcp/servers/${id}`, { clientId: FIXED_CLIENT.id, clientSecret: FIXED_CLIENT.secret });
    expect(patched.status).toBe(200);
    expect(patched.body.server.oauth).toEqual({ signedIn: false, clientId: FIXED_CLIENT.id, clientSecret: true });
    const row = (await oauthRow(id))!;
    expect(row.client_secret_encrypted).toMatch(/^v1:/);
    expect(JSON.stringify(row)).not.toContain(FIXED_CLIENT.secret);

    expect((await signInTo(alice, id)).status).toBe(200);
    expect(withoutRegistration.clientsServed).toEqual(new Set([FIXED_CLIENT.id]));
    const tools = await alice.api("GET", `/api/mcp/servers/${id}/tools`);
    expect(tools.body.status).toBe("connected");

    // A wrong secret: the token exchange is refused, said in words.
    await alice.api("PATCH", `/api/mcp/servers/${id}`, { clientSecret: "wrong-secret" });
    expect((await alice.api("GET", `/api/mcp/servers/${id}/tools`)).body.status).toBe("needs_sign_in");
    const wrong = await signInTo(alice, id);
    expect(wrong.status).toBe(502);
    expect(wrong.text).toContain("Client secret");

    // Added with its client in one go.
    const other = await alice.api("POST", "/api/mcp/servers", { name: "fixed-2", url: withoutRegistration.url, clientId: FIXED_CLIENT.id, clientSecret: FIXED_CLIENT.secret });
    expect(other.body.server.oauth).toEqual({ signedIn: false, clientId: FIXED_CLIENT.id, clientSecret: true });
    expect((await signInTo(alice, other.body.server.id)).status).toBe(200);

    // This authorization server offers no revocation: Disconnect forgets the tokens and says they end when they expire.
    const disconnected = await alice.api("DELETE", `/api/mcp/servers/${other.body.server.id}/oauth`);
    expect(disconnected.body).toEqual({ revocation: "not_offered" });
    expect((await oauthRow(other.body.server.id))!.tokens_encrypted).toBeNull();
    expect((await alice.api("DELETE", `/api/mcp/servers/${other.body.server.id}/oauth`)).body).toEqual({ revocation: "nothing_stored" });
  });

  it("removing a server that is signed in revokes its tokens too", async () => {
    const added = await alice.api("POST", "/api/mcp/servers", { name: "secure-2", url: withRegistration.url });
    const id = added.body.server.id as string;
    expect((await signInTo(alice, id)).status).toBe(200);
    const { refresh_token: refreshToken } = JSON.parse(box.decrypt((await oauthRow(id))!.tokens_encrypted!, `mcp-oauth:${id}:tokens`)) as { refresh_token: string };
    expect((await alice.api("DELETE", `/api/mcp/servers/${id}`)).status).toBe(204);
    expect(withRegistration.revoked.map((r) => r.token)).toContain(refreshToken);
    expect(await oauthRow(id)).toBeUndefined();
  });

  it("no token, client secret or code in any API answer or log line", () => {
    const issued = [withRegistration, withoutRegistration].flatMap((s) => [...s.issued.accessTokens, ...s.issued.refreshTokens, ...s.issued.clientSecrets, ...s.issued.codes]);
    expect(issued.length).toBeGreaterThan(10);
    const everything = [...answers, logs.all()].join("\n");
    expect(logs.text.length).toBeGreaterThan(10);
    for (const value of [...issued, FIXED_CLIENT.secret]) expect(everything).not.toContain(value);
    // The callback's query is in the log, redacted.
    expect(logs.requests("/api/mcp/oauth/callback")[0]?.url).toMatch(/code=\[redacted\]/);
  });
});
