import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SecretBox } from "../src/secrets/secret-box.js";
import { startHardHttpServer, type HardHttpServer } from "./mcp/hard-server.js";
import { useBedrockEmulator } from "./helpers/bedrock-env.js";
import { readEvents, signIn, startChatServer, textOf, waitFor, type ChatServer, type Session } from "./helpers/chat-server.js";
import { databases } from "./helpers/databases.js";

const env = useBedrockEmulator();
const postgres = databases.find((d) => d.name === "postgres")!;

/** Two app instances on one PostgreSQL database: sessions, generations, resume and stop work across them. */
describe.skipIf(!postgres.available)("two instances on one PostgreSQL", () => {
  let a: ChatServer;
  let b: ChatServer;
  let onA: Session;
  let onB: Session;
  let hard: HardHttpServer;
  beforeAll(async () => {
    const url = await postgres.location();
    // One SECRET_KEY for both, as instances of one deployment share it.
    const mcp = { keys: { available: true as const, box: new SecretBox(randomBytes(32)), source: "SECRET_KEY" as const }, allowPrivateNetworks: true };
    hard = await startHardHttpServer();
    a = await startChatServer({ authMode: "local", database: url, postgresUrl: url, signInAttemptsPerIp: 1000, mcp });
    b = await startChatServer({ authMode: "local", database: url, postgresUrl: url, signInAttemptsPerIp: 1000, mcp });
    // A's setup token was printed by A; B printed its own, and either creates the one admin.
    await b.api("POST", "/auth/setup", { email: "ops@example.com", password: "ops long password", token: a.app.setupToken });
    onA = await signIn(a, "ops@example.com", "ops long password");
    // The same session cookie is valid on the other instance.
    onB = { cookie: onA.cookie, api: (method, path, body, headers = {}) => b.api(method, path, body, { cookie: onA.cookie, ...headers }) };
  });
  afterAll(async () => {
    for (const server of [a, b]) {
      if (!server) continue;
      await waitFor(async () => server.app.generations.runningCount(), (n) => n === 0);
      await server.close();
    }
    await hard?.close();
  });

  it("a tool call waiting on A is allowed from B (the decision goes through NOTIFY)", async () => {
    await onA.api("POST", "/api/mcp/servers", { name: "hard", url: hard.url });
    const thread = (await onA.api("POST", "/api/threads", { profile: "Amazon Nova Pro" })).body.thread;
    env.emulator.enqueue({ blocks: [{ toolUse: { id: "tooluse_across", name: "hard__add", input: { a: 20, b: 22 } } }] }, { blocks: [{ text: "42." }] });
    const posted = await onA.api("POST", `/api/threads/${thread.id}/messages`, { text: "add" });
    const generationId = posted.body.generationId as string;
    await waitFor(async () => (await readEvents(`${b.url}/api/generations/${generationId}/events`, { headers: { cookie: onB.cookie }, timeoutMs: 400 })).events, (events) => events.some((e) => e.event === "tool_approval"));
    const decided = await onB.api("POST", `/api/generations/${generationId}/tool-approvals`, { toolUseId: "tooluse_across", decision: "allow" });
    expect(decided.status).toBe(202);
    expect(decided.body.status).toBe("sent");
    const { events } = await readEvents(`${b.url}/api/generations/${generationId}/events`, { headers: { cookie: onB.cookie } });
    expect(events.find((e) => e.event === "tool_result")!.data).toMatchObject({ status: "success", text: expect.stringContaining("42") });
    expect(events.at(-1)!.data).toMatchObject({ type: "done", status: "complete" });
  });

  it("shares sessions: signed in on one instance, recognised on the other; sign-out ends it on both", async () => {
    expect((await onB.api("GET", "/api/session")).body.user.email).toBe("ops@example.com");
    const extra = await signIn(b, "ops@example.com", "ops long password");
    await extra.api("POST", "/auth/logout");
    expect((await a.api("GET", "/api/threads", undefined, { cookie: extra.cookie })).status).toBe(401);
  });

  it("streams a generation running on A live to a listener on B (LISTEN/NOTIFY), which then sees it saved", async () => {
    env.emulator.enqueue({ blocks: [{ text: "one two three four five six seven eight nine ten" }], deltas: 10, delayMs: 80 });
    const thread = (await onA.api("POST", "/api/threads", { profile: "Amazon Nova Pro" })).body.thread;
    const posted = await onA.api("POST", `/api/threads/${thread.id}/messages`, { text: "count to ten" });
    expect(posted.status).toBe(202);
    const started = Date.now();
    const { events } = await readEvents(`${b.url}/api/generations/${posted.body.generationId}/events`, { headers: { cookie: onB.cookie } });
    expect(textOf(events)).toBe("one two three four five six seven eight nine ten");
    expect(events.map((e) => Number(e.id))).toEqual(events.map((_, i) => i + 1));
    // Live, not read at the end: the text arrived spread over the answer's ~800 ms, not all at once.
    const texts = events.filter((e) => e.event === "text");
    expect(texts.at(-1)!.at - texts[0]!.at).toBeGreaterThan(300);
    expect(texts[0]!.at - started).toBeLessThan(700);
    const detail = await onB.api("GET", `/api/threads/${thread.id}`);
    expect(detail.body.running).toBeNull();
    expect(detail.body.messages.at(-1)).toMatchObject({ role: "assistant", status: "complete" });
  });

  it("stops on B a generation that runs on A, keeping the partial answer", async () => {
    env.emulator.enqueue({ blocks: [{ text: "a b c d e f g h i j k l m n o p q r s t u v w x y z" }], deltas: 26, delayMs: 100 });
    const thread = (await onA.api("POST", "/api/threads", { profile: "Amazon Nova Pro" })).body.thread;
    const posted = await onA.api("POST", `/api/threads/${thread.id}/messages`, { text: "the alphabet, slowly" });
    const listening = readEvents(`${a.url}/api/generations/${posted.body.generationId}/events`, { headers: { cookie: onA.cookie } });
    await waitFor(async () => (await onA.api("GET", `/api/threads/${thread.id}`)).body.messages.at(-1).parts.length, (n) => n > 0);
    const stopped = await onB.api("POST", `/api/generations/${posted.body.generationId}/stop`);
    expect(stopped.status).toBe(202);
    const { events } = await listening;
    expect(events.at(-1)?.data).toMatchObject({ type: "done", status: "stopped" });
    const answer = (await onB.api("GET", `/api/threads/${thread.id}`)).body.messages.at(-1);
    expect(answer.status).toBe("stopped");
    expect(answer.parts[0].text.length).toBeGreaterThan(0);
    expect(answer.parts[0].text.length).toBeLessThan("a b c d e f g h i j k l m n o p q r s t u v w x y z".length);
  });

  it("resumes on the other instance with Last-Event-ID, during and after the answer", async () => {
    env.emulator.enqueue({ blocks: [{ text: "alpha beta gamma delta epsilon zeta" }], deltas: 6, delayMs: 120 });
    const thread = (await onB.api("POST", "/api/threads", { profile: "Amazon Nova Pro" })).body.thread;
    const posted = await onB.api("POST", `/api/threads/${thread.id}/messages`, { text: "greek letters" });
    const url = (server: ChatServer) => `${server.url}/api/generations/${posted.body.generationId}/events`;
    const first = await readEvents(url(b), { stopAfter: 3, headers: { cookie: onB.cookie } });
    const lastId = Number(first.events.at(-1)!.id);
    const rest = await readEvents(url(a), { lastEventId: lastId, headers: { cookie: onA.cookie } });
    expect(Number(rest.events[0]!.id)).toBe(lastId + 1);
    expect(textOf([...first.events, ...rest.events])).toBe("alpha beta gamma delta epsilon zeta");
    // After the end, from the database alone.
    const again = await readEvents(url(a), { lastEventId: 2, headers: { cookie: onA.cookie } });
    expect(again.events[0]!.id).toBe("3");
    expect(again.events.at(-1)?.data).toMatchObject({ type: "done", status: "complete" });
  });

  it("does not treat the other instance's running generations as orphans when an instance starts", async () => {
    env.emulator.enqueue({ blocks: [{ text: "still going strong after a restart elsewhere" }], deltas: 8, delayMs: 100 });
    const thread = (await onA.api("POST", "/api/threads", { profile: "Amazon Nova Pro" })).body.thread;
    const posted = await onA.api("POST", `/api/threads/${thread.id}/messages`, { text: "keep going" });
    expect(await b.app.generations.recoverOrphans()).toBe(0);
    const { events } = await readEvents(`${a.url}/api/generations/${posted.body.generationId}/events`, { headers: { cookie: onA.cookie } });
    expect(events.at(-1)?.data).toMatchObject({ type: "done", status: "complete" });
  });
});
