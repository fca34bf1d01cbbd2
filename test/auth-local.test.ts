import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useBedrockEmulator } from "./helpers/bedrock-env.js";
import { asSession, readEvents, sessionCookie, signIn, startChatServer, waitFor, type ChatServer, type Session } from "./helpers/chat-server.js";

useBedrockEmulator();

const ADMIN = { email: "Admin@Example.com", password: "correct horse battery" };
let now = new Date("2026-11-25T10:00:00Z");
const clock = () => now;
const advance = (ms: number) => (now = new Date(now.getTime() + ms));

let server: ChatServer;
beforeAll(async () => {
  server = await startChatServer({ authMode: "local", clock, limits: { ratePerMinute: 1000 }, signInAttemptsPerIp: 1000 });
});
afterAll(async () => server?.close());

describe("local sign-in: first run", () => {
  it("reports that setup is required and refuses the API to nobody", async () => {
    expect((await server.api("GET", "/api/session")).body).toEqual({ authMode: "local", user: null, setupRequired: true });
    const threads = await server.api("GET", "/api/threads");
    expect(threads.status).toBe(401);
    expect(threads.body.error.message).toMatch(/Sign in/);
    expect(server.app.setupToken).toMatch(/^[\w-]{30,}$/);
  });

  it("creates the admin only with the setup token from the log, with a strong password", async () => {
    const wrong = await server.api("POST", "/auth/setup", { ...ADMIN, token: "guessed-token" });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.message).toMatch(/users setup-link/);
    const short = await server.api("POST", "/auth/setup", { email: ADMIN.email, password: "short", token: server.app.setupToken });
    expect(short.status).toBe(400);
    expect(short.body.error.message).toMatch(/at least 12 characters/);
    const common = await server.api("POST", "/auth/setup", { email: ADMIN.email, password: "password1234", token: server.app.setupToken });
    expect(common.body.error.message).toMatch(/too common/);
    const badEmail = await server.api("POST", "/auth/setup", { email: "admin", password: ADMIN.password, token: server.app.setupToken });
    expect(badEmail.body.error.message).toMatch(/not an email address/);

    const created = await server.api("POST", "/auth/setup", { ...ADMIN, token: server.app.setupToken });
    expect(created.status).toBe(200);
    expect(created.body.user).toMatchObject({ email: "admin@example.com", role: "admin" });
    const admin = asSession(server, sessionCookie(created.headers));
    expect((await admin.api("GET", "/api/session")).body).toMatchObject({ user: { email: "admin@example.com" }, setupRequired: false });

    const again = await server.api("POST", "/auth/setup", { email: "other@example.com", password: ADMIN.password, token: server.app.setupToken });
    expect(again.status).toBe(409);
  });
});

describe("local sign-in: sessions", () => {
  it("sets an HttpOnly, SameSite=Lax session cookie for 15 days, not Secure on http", async () => {
    const res = await server.api("POST", "/auth/login", { email: "admin@example.com", password: ADMIN.password });
    expect(res.status).toBe(200);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith("chat_session="))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).toMatch(/Max-Age=1296000/);
    expect(cookie).not.toMatch(/Secure/);
    // The database keeps only the token's hash.
    const token = sessionCookie(res.headers).split("=")[1]!;
    const rows = await server.db.selectFrom("sessions").select("token_hash").execute();
    expect(rows.some((r) => r.token_hash === token)).toBe(false);
  });

  it("says a wrong password is wrong without telling whether the email exists", async () => {
    const wrong = await server.api("POST", "/auth/login", { email: "admin@example.com", password: "not the password" });
    const unknown = await server.api("POST", "/auth/login", { email: "nobody@example.com", password: "not the password" });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.error.message).toBe(unknown.body.error.message);
    expect(wrong.body.error.message).toMatch(/email or password is not right/);
  });

  it("ends a session after 15 days", async () => {
    const session = await signIn(server, ADMIN.email, ADMIN.password);
    advance(15 * 24 * 60 * 60_000 - 1000);
    expect((await session.api("GET", "/api/threads")).status).toBe(200);
    advance(2000);
    expect((await session.api("GET", "/api/threads")).status).toBe(401);
    expect((await session.api("GET", "/api/session")).body.user).toBeNull();
  });

  it("signs out one session, or every session of the account", async () => {
    const a = await signIn(server, ADMIN.email, ADMIN.password);
    const b = await signIn(server, ADMIN.email, ADMIN.password);
    const out = await a.api("POST", "/auth/logout");
    expect(out.body).toEqual({ redirect: "/" });
    expect(out.headers.getSetCookie().join()).toMatch(/chat_session=;/);
    expect((await a.api("GET", "/api/threads")).status).toBe(401);
    expect((await b.api("GET", "/api/threads")).status).toBe(200);
    const c = await signIn(server, ADMIN.email, ADMIN.password);
    await c.api("POST", "/auth/logout-everywhere");
    expect((await b.api("GET", "/api/threads")).status).toBe(401);
    expect((await c.api("GET", "/api/threads")).status).toBe(401);
  });

  it("lets a user change their password, which ends their other sessions", async () => {
    const other = await signIn(server, ADMIN.email, ADMIN.password);
    const me = await signIn(server, ADMIN.email, ADMIN.password);
    const wrong = await me.api("POST", "/api/account/password", { currentPassword: "nope nope nope", newPassword: "a brand new passphrase" });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.message).toMatch(/current password is not right/);
    const changed = await me.api("POST", "/api/account/password", { currentPassword: ADMIN.password, newPassword: "a brand new passphrase" });
    expect(changed.status).toBe(200);
    const renewed = asSession(server, sessionCookie(changed.headers));
    expect((await renewed.api("GET", "/api/threads")).status).toBe(200);
    expect((await other.api("GET", "/api/threads")).status).toBe(401);
    ADMIN.password = "a brand new passphrase";
  });
});

describe("local sign-in: lockout", () => {
  it("locks an account for 15 minutes after 5 failures within 15 minutes", async () => {
    const admin = await signIn(server, ADMIN.email, ADMIN.password);
    await admin.api("POST", "/api/admin/users", { email: "lock@example.com", password: "lock me out please" });
    for (let i = 0; i < 4; i++) expect((await server.api("POST", "/auth/login", { email: "lock@example.com", password: `wrong guess ${i}` })).status).toBe(401);
    const fifth = await server.api("POST", "/auth/login", { email: "lock@example.com", password: "wrong guess 5" });
    expect(fifth.status).toBe(429);
    expect(fifth.body.error.message).toMatch(/locked for 15 more minutes/);
    // Even the right password is refused while locked.
    const right = await server.api("POST", "/auth/login", { email: "lock@example.com", password: "lock me out please" });
    expect(right.status).toBe(429);
    expect(right.body.error.message).toMatch(/locked for 15 more minutes/);
    advance(15 * 60_000 + 1000);
    expect((await server.api("POST", "/auth/login", { email: "lock@example.com", password: "lock me out please" })).status).toBe(200);
  });

  it("forgets failures older than 15 minutes", async () => {
    for (let i = 0; i < 4; i++) await server.api("POST", "/auth/login", { email: "lock@example.com", password: `old failure ${i}` });
    advance(16 * 60_000);
    for (let i = 0; i < 4; i++) expect((await server.api("POST", "/auth/login", { email: "lock@example.com", password: `new failure ${i}` })).status).toBe(401);
    expect((await server.api("POST", "/auth/login", { email: "lock@example.com", password: "lock me out please" })).status).toBe(200);
  });
});

describe("CSRF and headers", () => {
  let admin: Session;
  beforeAll(async () => {
    admin = await signIn(server, ADMIN.email, ADMIN.password);
  });

  it("refuses a state-changing request without X-Requested-With: fetch, without Origin, or from another origin", async () => {
    const noHeader = await admin.api("POST", "/api/threads", {}, { "x-requested-with": "" });
    expect(noHeader.status).toBe(403);
    expect(noHeader.body.error.code).toBe("csrf");
    const noOrigin = await admin.api("POST", "/api/threads", {}, { origin: "" });
    expect(noOrigin.status).toBe(403);
    const foreign = await admin.api("POST", "/api/threads", {}, { origin: "https://evil.example" });
    expect(foreign.status).toBe(403);
    expect((await admin.api("POST", "/api/threads", {})).status).toBe(201);
    // A cross-site form can neither sign in nor sign out.
    expect((await server.api("POST", "/auth/login", { email: ADMIN.email, password: ADMIN.password }, { "x-requested-with": "" })).status).toBe(403);
  });

  it("sends security headers: a CSP without framing, nosniff", async () => {
    const res = await fetch(`${server.url}/api/session`);
    expect(res.headers.get("content-security-policy")).toMatch(/frame-ancestors 'none'/);
    expect(res.headers.get("content-security-policy")).toMatch(/default-src 'self'/);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    // The API page has its own policy (its script hashes), still without framing.
    const docs = await fetch(`${server.url}/api/docs/static/index.html`);
    expect(docs.headers.get("content-security-policy")).toMatch(/frame-ancestors 'none'/);
  });

  it("removes expired sessions from the database", async () => {
    const { deleteExpiredSessions } = await import("../src/store/sessions.js");
    const before = (await server.db.selectFrom("sessions").select("token_hash").execute()).length;
    advance(16 * 24 * 60 * 60_000);
    await deleteExpiredSessions(server.db, now);
    const after = (await server.db.selectFrom("sessions").select("token_hash").execute()).length;
    expect(before).toBeGreaterThan(0);
    expect(after).toBe(0);
    admin = await signIn(server, ADMIN.email, ADMIN.password);
  });
});

describe("admin", () => {
  let admin: Session;
  let user: Session;
  let userId: string;
  beforeAll(async () => {
    admin = await signIn(server, ADMIN.email, ADMIN.password);
    const created = await admin.api("POST", "/api/admin/users", { email: "bob@example.com", password: "bob's long password", name: "Bob" });
    expect(created.status).toBe(201);
    userId = created.body.user.id;
    user = await signIn(server, "bob@example.com", "bob's long password");
  });

  it("keeps the admin API from other users", async () => {
    for (const [method, path] of [["GET", "/api/admin/users"], ["GET", "/api/admin/usage"], ["GET", "/api/admin/audit"], ["PATCH", `/api/admin/users/${userId}`]] as const) {
      const res = await user.api(method, path, method === "PATCH" ? { role: "admin" } : undefined);
      expect(res.status, `${method} ${path}`).toBe(403);
    }
  });

  it("lists users, refuses a duplicate, and keeps an audit log", async () => {
    const users = (await admin.api("GET", "/api/admin/users")).body.users;
    expect(users.map((u: { email: string }) => u.email)).toEqual(expect.arrayContaining(["admin@example.com", "bob@example.com"]));
    const dup = await admin.api("POST", "/api/admin/users", { email: "BOB@example.com", password: "another long password" });
    expect(dup.status).toBe(409);
    const audit = (await admin.api("GET", "/api/admin/audit")).body.entries;
    expect(audit[0]).toMatchObject({ action: "user.created", actorEmail: "admin@example.com", targetEmail: "bob@example.com" });
  });

  it("revokes a user's sessions, disables and re-enables an account", async () => {
    const revoked = await admin.api("POST", `/api/admin/users/${userId}/revoke-sessions`);
    expect(revoked.body.revoked).toBeGreaterThan(0);
    expect((await user.api("GET", "/api/threads")).status).toBe(401);
    user = await signIn(server, "bob@example.com", "bob's long password");
    await admin.api("PATCH", `/api/admin/users/${userId}`, { disabled: true });
    expect((await user.api("GET", "/api/threads")).status).toBe(401);
    const refused = await server.api("POST", "/auth/login", { email: "bob@example.com", password: "bob's long password" });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(/disabled/);
    await admin.api("PATCH", `/api/admin/users/${userId}`, { disabled: false });
    user = await signIn(server, "bob@example.com", "bob's long password");
    const actions = (await admin.api("GET", "/api/admin/audit")).body.entries.map((e: { action: string }) => e.action);
    expect(actions.slice(0, 3)).toEqual(["user.updated", "user.updated", "user.sessions_revoked"]);
  });

  it("does not let an admin lock themselves out", async () => {
    const me = (await admin.api("GET", "/api/session")).body.user.id;
    const res = await admin.api("PATCH", `/api/admin/users/${me}`, { role: "user" });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/another administrator/);
  });

  it("enforces a per-user rate limit and a monthly spending cap before calling Bedrock, keeping the draft", async () => {
    await admin.api("PATCH", `/api/admin/users/${userId}`, { ratePerMinute: 2 });
    const thread = (await user.api("POST", "/api/threads", { profile: "Amazon Nova Pro" })).body.thread;
    for (let i = 0; i < 2; i++) {
      const posted = await user.api("POST", `/api/threads/${thread.id}/messages`, { text: `question ${i}` });
      expect(posted.status).toBe(202);
      await readEvents(`${server.url}/api/generations/${posted.body.generationId}/events`, { headers: { cookie: user.cookie } });
    }
    const limited = await user.api("POST", `/api/threads/${thread.id}/messages`, { text: "one too many" });
    expect(limited.status).toBe(429);
    expect(limited.body.error.message).toMatch(/most allowed is 2/);
    advance(61_000);
    // The spending cap: two answers have cost something; a cap below that stops the next one.
    const usage = (await admin.api("GET", "/api/admin/usage?days=1")).body.rows;
    expect(usage.find((r: { email: string }) => r.email === "bob@example.com")).toMatchObject({ modelId: "us.amazon.nova-pro-v1:0", calls: 2 });
    await admin.api("PATCH", `/api/admin/users/${userId}`, { monthlyCap: "0.000001", ratePerMinute: null });
    const capped = await user.api("POST", `/api/threads/${thread.id}/messages`, { text: "over the cap" });
    expect(capped.status).toBe(402);
    expect(capped.body.error.message).toMatch(/monthly cap of \$0\.00/);
    // Nothing was stored for refused messages.
    const messages = (await user.api("GET", `/api/threads/${thread.id}/messages`)).body.messages;
    expect(messages.map((m: { parts: { text: string }[] }) => m.parts[0]?.text).filter(Boolean)).not.toContain("over the cap");
    await admin.api("PATCH", `/api/admin/users/${userId}`, { monthlyCap: null });
    await waitFor(async () => server.app.generations.runningCount(), (n) => n === 0);
  });
});

describe("per-address limit", () => {
  it("refuses more sign-in attempts from one address than allowed, whatever the accounts", async () => {
    const limited = await startChatServer({ authMode: "local", signInAttemptsPerIp: 3 });
    try {
      for (let i = 0; i < 3; i++) expect((await limited.api("POST", "/auth/login", { email: `user${i}@example.com`, password: "whatever it is" })).status).toBe(401);
      const res = await limited.api("POST", "/auth/login", { email: "user9@example.com", password: "whatever it is" });
      expect(res.status).toBe(429);
      expect(res.body.error.message).toMatch(/Wait five minutes/);
    } finally {
      await limited.close();
    }
  });
});

describe("secure cookies behind https", () => {
  it("marks the session cookie Secure with the __Host- prefix when PUBLIC_URL is https", async () => {
    const secure = await startChatServer({ authMode: "local", publicUrl: "https://chat.example.com" });
    try {
      await secure.api("POST", "/auth/setup", { email: "a@example.com", password: "a long enough password", token: secure.app.setupToken });
      const res = await secure.api("POST", "/auth/login", { email: "a@example.com", password: "a long enough password" });
      const cookie = res.headers.getSetCookie().find((c) => c.startsWith("__Host-chat_session="))!;
      expect(cookie).toMatch(/Secure/);
      expect(cookie).toMatch(/HttpOnly/);
    } finally {
      await secure.close();
    }
  });
});
