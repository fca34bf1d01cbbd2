import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authenticate, checkCurrentPassword } from "../src/auth/accounts.js";
import { verifyPassword } from "../src/auth/passwords.js";
import { issueSetupToken } from "../src/store/sessions.js";
import { useBedrockEmulator } from "./helpers/bedrock-env.js";
import { withoutCachePoints } from "./helpers/cache-points.js";
import { asSession, readEvents, sessionCookie, signIn, startChatServer, waitFor, type ChatServer, type Session } from "./helpers/chat-server.js";
import { databases } from "./helpers/databases.js";

const env = useBedrockEmulator();

const ADMIN = { email: "admin@example.com", password: "the admin's passphrase" };
const USER = { email: "user@example.com", password: "the user's passphrase" };

/** Statuses of parallel responses, counted: {401: 4, 429: 21}. */
function tally(statuses: number[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const s of statuses) counts[s] = (counts[s] ?? 0) + 1;
  return counts;
}

/**
 * Security findings of the review that touch storage (issue 8), on each storage engine: every one of these was
 * reproduced before its fix (the check-then-act races on PostgreSQL, lockout counts lost on both, NUL characters on
 * PostgreSQL).
 */
describe.each(databases)("security on $name", (kind) => {
  if (!kind.available) {
    it.skip("PostgreSQL is not installed here (apt-get install postgresql)", () => undefined);
    return;
  }
  let now = new Date("2026-11-25T10:00:00Z");
  const clock = () => now;
  const advance = (ms: number) => (now = new Date(now.getTime() + ms));
  let server: ChatServer;
  let admin: Session;
  let user: Session;
  let userId: string;

  beforeAll(async () => {
    server = await startChatServer({ authMode: "local", database: await kind.location(), clock, signInAttemptsPerIp: 100_000, limits: { ratePerMinute: 10_000 } });
    const setup = await server.api("POST", "/auth/setup", { ...ADMIN, token: server.app.setupToken });
    expect(setup.status).toBe(200);
    admin = asSession(server, sessionCookie(setup.headers));
    userId = (await admin.api("POST", "/api/admin/users", USER)).body.user.id;
    user = await signIn(server, USER.email, USER.password);
  });
  afterAll(async () => {
    if (!server) return;
    await waitFor(async () => server.app.generations.runningCount(), (n) => n === 0);
    await server.close();
  });

  describe("lockout under parallel attempts", () => {
    for (const [label, email] of [["a known", USER.email], ["an unknown", "nobody@example.com"]] as const) {
      it(`checks at most 5 of 25 parallel wrong passwords for ${label} email, refuses the rest, then the right one until the lock ends`, async () => {
        let checked = 0;
        const verify = (password: string, hash: string) => {
          checked++;
          return verifyPassword(password, hash);
        };
        const outcomes = await Promise.all(
          Array.from({ length: 25 }, (_, i) => authenticate(server.db, email, `wrong guess number ${i}`, now, { verify }).then(() => 200, (e: { status: number }) => e.status)),
        );
        expect(checked).toBeLessThanOrEqual(5);
        expect(tally(outcomes)).toEqual({ 401: 4, 429: 21 });
        if (email === USER.email) {
          await expect(authenticate(server.db, email, USER.password, now)).rejects.toMatchObject({ status: 429, code: "locked" });
          advance(15 * 60_000 + 1000);
          await expect(authenticate(server.db, email, USER.password, now)).resolves.toMatchObject({ email: USER.email });
        } else {
          advance(15 * 60_000 + 1000);
        }
      });
    }

    it("answers 25 parallel sign-ins the same for a known and an unknown email: 401 four times, then 429", async () => {
      const attempt = (email: string) => Promise.all(Array.from({ length: 25 }, (_, i) => server.api("POST", "/auth/login", { email, password: `parallel wrong ${i}` })));
      const known = await attempt(USER.email);
      const unknown = await attempt("stranger@example.com");
      expect(tally(known.map((r) => r.status))).toEqual({ 401: 4, 429: 21 });
      expect(tally(unknown.map((r) => r.status))).toEqual({ 401: 4, 429: 21 });
      const lockedKnown = known.find((r) => r.status === 429)!.body.error.message;
      const lockedUnknown = unknown.find((r) => r.status === 429)!.body.error.message;
      expect(lockedKnown).toBe(lockedUnknown);
      expect(lockedKnown).toMatch(/locked for 15 more minutes/);
      // The right password is refused while locked; the lock ends after 15 minutes.
      expect((await server.api("POST", "/auth/login", USER)).status).toBe(429);
      advance(15 * 60_000 + 1000);
      expect((await server.api("POST", "/auth/login", USER)).status).toBe(200);
    });

    it("limits wrong current passwords on a password change the same way", async () => {
      const session = await signIn(server, USER.email, USER.password);
      const results = await Promise.all(Array.from({ length: 40 }, (_, i) => session.api("POST", "/api/account/password", { currentPassword: `not it ${i}`, newPassword: "a completely new passphrase" })));
      expect(tally(results.map((r) => r.status))).toEqual({ 400: 4, 429: 36 });
      let checked = 0;
      const verify = (password: string, hash: string) => (checked++, verifyPassword(password, hash));
      await expect(checkCurrentPassword(server.db, { id: userId, email: USER.email }, USER.password, now, { verify })).rejects.toMatchObject({ status: 429 });
      expect(checked).toBe(0);
      advance(15 * 60_000 + 1000);
      await expect(checkCurrentPassword(server.db, { id: userId, email: USER.email }, USER.password, now)).resolves.toBeUndefined();
    });

    it("shows the lock on the admin page and lifts it with a password reset", async () => {
      for (let i = 0; i < 5; i++) await server.api("POST", "/auth/login", { email: USER.email, password: `wrong again ${i}` });
      const locked = (await admin.api("GET", "/api/admin/users")).body.users.find((u: { email: string }) => u.email === USER.email);
      expect(Date.parse(locked.lockedUntil)).toBeGreaterThan(now.getTime());
      await admin.api("POST", `/api/admin/users/${userId}/password`, { password: USER.password });
      expect((await server.api("POST", "/auth/login", USER)).status).toBe(200);
      user = await signIn(server, USER.email, USER.password);
    });
  });

  describe("limits under parallel starts", () => {
    async function threads(n: number): Promise<string[]> {
      return Promise.all(Array.from({ length: n }, async () => (await user.api("POST", "/api/threads", { profile: "Amazon Nova Pro" })).body.thread.id as string));
    }
    const drain = () => waitFor(async () => server.app.generations.runningCount(), (n) => n === 0);

    it("accepts exactly 3 of 20 parallel posts across 20 threads with a limit of 3 per minute", async () => {
      advance(61_000);
      await admin.api("PATCH", `/api/admin/users/${userId}`, { ratePerMinute: 3 });
      const ids = await threads(20);
      const posted = await Promise.all(ids.map((id) => user.api("POST", `/api/threads/${id}/messages`, { text: "hello" })));
      expect(tally(posted.map((r) => r.status))).toEqual({ 202: 3, 429: 17 });
      // Nothing was stored for the refused ones: their threads have no messages.
      const counts = await Promise.all(ids.map(async (id) => (await user.api("GET", `/api/threads/${id}/messages`)).body.messages.length));
      expect(counts.filter((n) => n > 0)).toHaveLength(3);
      await drain();
      await admin.api("PATCH", `/api/admin/users/${userId}`, { ratePerMinute: null });
    });

    it("reserves each running answer's worst case against the spending cap: 3 of 20 parallel posts fit a cap for 3", async () => {
      advance(61_000);
      // Nova Pro: $0.0008 in / $0.0032 out per 1k tokens; max tokens 64 makes the output worst case $0.0002048.
      env.emulator.enqueue(...Array.from({ length: 20 }, () => ({ blocks: [{ text: "slow answer" }], deltas: 4, delayMs: 100 })));
      const settings = { maxTokens: 64 };
      const ids = await threads(20);
      const spent = (await admin.api("GET", "/api/admin/usage?days=1")).body.rows
        .filter((r: { email: string }) => r.email === USER.email)
        .reduce((sum: number, r: { cost: string }) => sum + Number(r.cost), 0);
      // Each answer reserves ≈ $0.0002048 (output) + its prompt: a cap of spent + $0.00075 fits 3, not 4.
      await admin.api("PATCH", `/api/admin/users/${userId}`, { monthlyCap: (spent + 0.00075).toFixed(8) });
      const posted = await Promise.all(ids.map((id) => user.api("POST", `/api/threads/${id}/messages`, { text: "hello", settings })));
      expect(tally(posted.map((r) => r.status))).toEqual({ 202: 3, 402: 17 });
      expect(posted.find((r) => r.status === 402)!.body.error.message).toMatch(/could cost up to .* monthly cap/);
      await drain();
      // Settled at the end: the real cost is far below the worst case, so the next answer fits again.
      const next = await user.api("POST", `/api/threads/${ids[0]}/messages`, { text: "after they settled", settings });
      expect(next.status).toBe(202);
      await drain();
      await admin.api("PATCH", `/api/admin/users/${userId}`, { monthlyCap: null });
    });
  });

  describe("NUL characters", () => {
    it("strips them from free text: thread titles (create, rename), messages, and the title written from a message", async () => {
      const created = await user.api("POST", "/api/threads", { profile: "Amazon Nova Pro", title: "Plans\u0000 for May" });
      expect(created.status).toBe(201);
      expect(created.body.thread.title).toBe("Plans for May");
      const renamed = await user.api("PATCH", `/api/threads/${created.body.thread.id}`, { title: "Re\u0000named" });
      expect(renamed.body.thread.title).toBe("Renamed");
      const fresh = (await user.api("POST", "/api/threads", { profile: "Amazon Nova Pro" })).body.thread.id;
      const posted = await user.api("POST", `/api/threads/${fresh}/messages`, { text: "pasted\u0000 text with a NUL", settings: { system: "be\u0000 brief" } });
      expect(posted.status).toBe(202);
      expect(posted.body.userMessage.parts[0].text).toBe("pasted text with a NUL");
      await readEvents(`${server.url}/api/generations/${posted.body.generationId}/events`, { headers: { cookie: user.cookie } });
      await waitFor(async () => (await user.api("GET", `/api/threads/${fresh}`)).body.thread.title, (t) => t !== "New chat");
      expect((await user.api("GET", `/api/threads/${fresh}`)).body.thread.title).toBe("pasted text with a NUL");
      expect(withoutCachePoints(env.emulator.requests.at(-1)!.body)["system"]).toEqual([{ text: "be brief" }]);
    });

    it("strips them from an admin-added name and refuses them in emails with a 400 that says so", async () => {
      const added = await admin.api("POST", "/api/admin/users", { email: "nul@example.com", password: "a long enough password", name: "Ana\u0000 Lima" });
      expect(added.status).toBe(201);
      expect(added.body.user.name).toBe("Ana Lima");
      for (const [path, body] of [
        ["/auth/login", { email: "ceo\u0000@example.com", password: "whatever it is" }],
        ["/api/admin/users", { email: "x\u0000@example.com", password: "a long enough password" }],
      ] as const) {
        const res = await (path === "/auth/login" ? server.api("POST", path, body) : admin.api("POST", path, body));
        expect(res.status, path).toBe(400);
        expect(res.body.error.message, path).toMatch(/NUL character/);
      }
    });

    it("answers 404 to path ids that are not ids", async () => {
      for (const [method, path] of [
        ["GET", "/api/threads/abc%00"],
        ["GET", "/api/generations/%00/events"],
        ["POST", "/api/messages/%00/regenerate"],
        ["PATCH", "/api/admin/users/%00"],
        ["GET", `/api/threads/${"f".repeat(32)}%00`],
      ] as const) {
        const res = await admin.api(method, path, method === "GET" ? undefined : {});
        expect(res.status, `${method} ${path}`).toBe(404);
      }
      const thread = (await user.api("POST", "/api/threads", { profile: "Amazon Nova Pro" })).body.thread.id;
      const reply = await user.api("POST", `/api/threads/${thread}/messages`, { text: "hi", parentId: "x\u0000" });
      expect(reply.status).toBe(404);
    });
  });

  describe("unique keys under races", () => {
    it("answers parallel duplicate account creations with one 201 and 409s", async () => {
      const results = await Promise.all(Array.from({ length: 6 }, () => admin.api("POST", "/api/admin/users", { email: "twin@example.com", password: "a twin's long password" })));
      expect(tally(results.map((r) => r.status))).toEqual({ 201: 1, 409: 5 });
      expect(results.find((r) => r.status === 409)!.body.error.message).toMatch(/already exists/);
    });
  });

  describe("event streams end", () => {
    let generationId: string;
    beforeAll(async () => {
      const thread = (await user.api("POST", "/api/threads", { profile: "Amazon Nova Pro" })).body.thread.id;
      generationId = (await user.api("POST", `/api/threads/${thread}/messages`, { text: "short" })).body.generationId;
      await readEvents(`${server.url}/api/generations/${generationId}/events`, { headers: { cookie: user.cookie } });
    });

    it("refuses a Last-Event-ID or lastEventId that is not a non-negative whole number", async () => {
      for (const value of ["-1", "1e10", "0x10", "Infinity", "1.5", "abc", " "]) {
        const header = await readEvents(`${server.url}/api/generations/${generationId}/events`, { headers: { cookie: user.cookie, "last-event-id": value }, timeoutMs: 3000 });
        expect(header.status, `header ${value}`).toBe(400);
        const query = await readEvents(`${server.url}/api/generations/${generationId}/events?lastEventId=${encodeURIComponent(value)}`, { headers: { cookie: user.cookie }, timeoutMs: 3000 });
        expect(query.status, `query ${value}`).toBe(400);
      }
    });

    it("answers a finished generation's stream with what is left and its end, then closes, from any position", async () => {
      for (const at of [0, 2, 100, 10_000_000_000]) {
        const started = Date.now();
        const res = await readEvents(`${server.url}/api/generations/${generationId}/events?lastEventId=${at}`, { headers: { cookie: user.cookie }, timeoutMs: 3000 });
        expect(res.status).toBe(200);
        expect(res.events.at(-1)?.data, `from ${at}`).toMatchObject({ type: "done", status: "complete" });
        expect(Date.now() - started, `from ${at}`).toBeLessThan(2500);
      }
    });
  });

  describe("setup links", () => {
    it("keeps one hashed token with an expiry: a restart keeps the valid link, an expired one is replaced, a used one is gone", async () => {
      const fresh = await startChatServer({ authMode: "local", database: await kind.location(), clock });
      try {
        const token = fresh.app.setupToken!;
        const stored = await fresh.db.selectFrom("setup_tokens").selectAll().execute();
        expect(stored).toHaveLength(1);
        expect(stored[0]!.token_hash).not.toBe(token);
        expect(Date.parse(stored[0]!.expires_at) - now.getTime()).toBe(60 * 60_000);
        // A second instance starting on the same database (or a restart) keeps the first link valid.
        expect(await issueSetupToken(fresh.db, now)).toBeUndefined();
        // An hour later the link no longer works, and the next start makes a new one.
        advance(60 * 60_000 + 1000);
        const late = await fresh.api("POST", "/auth/setup", { ...ADMIN, token });
        expect(late.status).toBe(403);
        expect(late.body.error.message).toMatch(/expired/);
        const next = await issueSetupToken(fresh.db, now);
        expect(next?.token).toBeDefined();
        // Two parallel uses of one link: one admin.
        const both = await Promise.all([
          fresh.api("POST", "/auth/setup", { email: "one@example.com", password: "the first passphrase", token: next!.token }),
          fresh.api("POST", "/auth/setup", { email: "two@example.com", password: "the second passphrase", token: next!.token }),
        ]);
        expect(both.map((r) => r.status).sort()).toEqual([200, 403].sort());
        expect(await fresh.db.selectFrom("setup_tokens").selectAll().execute()).toEqual([]);
      } finally {
        await fresh.close();
      }
    });
  });
});
