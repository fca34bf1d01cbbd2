import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useBedrockEmulator } from "./helpers/bedrock-env.js";
import { readEvents, signIn, startChatServer, waitFor, type ChatServer, type Session } from "./helpers/chat-server.js";
import { databases } from "./helpers/databases.js";

const env = useBedrockEmulator();

/**
 * Per-user isolation: every route, given another user's ids, answers 404 (never 403, which would confirm the id
 * exists), on both storage engines.
 */
describe.each(databases)("isolation on $name", (kind) => {
  if (!kind.available) {
    it.skip("PostgreSQL is not installed here (apt-get install postgresql)", () => undefined);
    return;
  }
  let server: ChatServer;
  let alice: Session;
  let bob: Session;
  const ids = { thread: "", message: "", answer: "", generation: "", bobThread: "" };

  beforeAll(async () => {
    server = await startChatServer({ authMode: "local", database: await kind.location(), signInAttemptsPerIp: 1000 });
    await server.api("POST", "/auth/setup", { email: "alice@example.com", password: "alice long password", token: server.app.setupToken });
    alice = await signIn(server, "alice@example.com", "alice long password");
    await alice.api("POST", "/api/admin/users", { email: "bob@example.com", password: "bob's long password" });
    bob = await signIn(server, "bob@example.com", "bob's long password");

    ids.thread = (await alice.api("POST", "/api/threads", { profile: "Amazon Nova Pro", title: "Alice secret plans" })).body.thread.id;
    const first = await alice.api("POST", `/api/threads/${ids.thread}/messages`, { text: "alice's zanzibar question" });
    ids.message = first.body.userMessage.id;
    ids.answer = first.body.assistantMessageId;
    await readEvents(`${server.url}/api/generations/${first.body.generationId}/events`, { headers: { cookie: alice.cookie } });
    // A generation that is still running while Bob tries to read or stop it.
    env.emulator.enqueue({ blocks: [{ text: "a b c d e f g h i j k l m n o p q r s t" }], deltas: 20, delayMs: 100 });
    ids.generation = (await alice.api("POST", `/api/threads/${ids.thread}/messages`, { text: "second" })).body.generationId;
    ids.bobThread = (await bob.api("POST", "/api/threads", { profile: "Amazon Nova Pro" })).body.thread.id;
  });
  afterAll(async () => {
    if (!server) return;
    await waitFor(async () => server.app.generations.runningCount(), (n) => n === 0);
    await server.close();
  });

  // Paths and bodies are functions: the ids exist only once beforeAll has run.
  const table: [string, string, () => string, (() => unknown)?][] = [
    ["GET", "thread", () => `/api/threads/${ids.thread}`],
    ["PATCH", "rename thread", () => `/api/threads/${ids.thread}`, () => ({ title: "mine now" })],
    ["DELETE", "thread", () => `/api/threads/${ids.thread}`],
    ["GET", "messages", () => `/api/threads/${ids.thread}/messages`],
    ["POST", "send into thread", () => `/api/threads/${ids.thread}/messages`, () => ({ text: "hello" })],
    ["PUT", "choose branch", () => `/api/threads/${ids.thread}/active`, () => ({ messageId: ids.answer })],
    ["POST", "regenerate answer", () => `/api/messages/${ids.answer}/regenerate`, () => ({})],
    ["GET", "generation events", () => `/api/generations/${ids.generation}/events`],
    ["POST", "stop generation", () => `/api/generations/${ids.generation}/stop`],
    ["POST", "reply under another's message", () => `/api/threads/${ids.bobThread}/messages`, () => ({ text: "hi", parentId: ids.message })],
    ["PUT", "another's message as own branch", () => `/api/threads/${ids.bobThread}/active`, () => ({ messageId: ids.answer })],
  ];

  it.each(table)("%s %s with another user's id is 404", async (method, _what, path, body) => {
    const res = await bob.api(method, path(), body?.());
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("not_found");
  });

  it("leaves the owner's data untouched and unseen", async () => {
    expect((await bob.api("GET", "/api/threads")).body.threads.map((t: { id: string }) => t.id)).toEqual([ids.bobThread]);
    expect((await bob.api("GET", "/api/threads?q=zanzibar")).body.threads).toEqual([]);
    expect((await bob.api("GET", "/api/threads?q=secret")).body.threads).toEqual([]);
    expect((await alice.api("GET", "/api/threads?q=zanzibar")).body.threads.map((t: { id: string }) => t.id)).toEqual([ids.thread]);
    const thread = await alice.api("GET", `/api/threads/${ids.thread}`);
    expect(thread.body.thread.title).toBe("Alice secret plans");
    // Bob's stop did not stop Alice's answer.
    const events = await readEvents(`${server.url}/api/generations/${ids.generation}/events`, { headers: { cookie: alice.cookie } });
    expect(events.events.at(-1)?.data).toMatchObject({ type: "done", status: "complete" });
  });
});
