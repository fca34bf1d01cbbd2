import { request as httpRequest } from "node:http";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { useBedrockEmulator } from "./helpers/bedrock-env.js";
import { withoutCachePoints } from "./helpers/cache-points.js";
import { readEvents, sleep, startChatServer, textOf, waitFor, type ChatServer } from "./helpers/chat-server.js";

const env = useBedrockEmulator();
let server: ChatServer;
beforeAll(async () => {
  server = await startChatServer();
});
afterAll(async () => server?.close());
afterEach(async () => {
  // Leave no generation running into the next test.
  await waitFor(async () => server.app.generations.runningCount(), (n) => n === 0);
});

const NOVA = "Amazon Nova Pro";
const newThread = async (profile = NOVA, settings: Record<string, unknown> = {}) => (await server.api("POST", "/api/threads", { profile, settings })).body.thread as { id: string };
const send = (threadId: string, text: string, extra: Record<string, unknown> = {}) => server.api("POST", `/api/threads/${threadId}/messages`, { text, ...extra });
const events = (generationId: string, options = {}) => readEvents(`${server.url}/api/generations/${generationId}/events`, options);
const getThread = async (id: string) => (await server.api("GET", `/api/threads/${id}`)).body;

describe("a turn through the server", () => {
  it("stores the user turn, streams the answer as SSE with durable ids, and saves it", async () => {
    const thread = await newThread();
    const posted = await send(thread.id, "Hello server");
    expect(posted.status).toBe(202);
    expect(posted.body.userMessage).toMatchObject({ role: "user", parts: [{ type: "text", text: "Hello server" }], status: "complete" });
    const { status, events: received } = await events(posted.body.generationId);
    expect(status).toBe(200);
    expect(received[0]).toMatchObject({ id: "1", event: "start", data: { messageId: posted.body.assistantMessageId, profile: NOVA, modelId: "us.amazon.nova-pro-v1:0" } });
    expect(received.map((e) => Number(e.id))).toEqual(received.map((_, i) => i + 1));
    expect(textOf(received)).toBe("Echo: Hello server");
    expect(received.at(-1)).toMatchObject({ event: "done", data: { status: "complete" } });
    expect(received.find((e) => e.event === "usage")!.data.cost).toEqual(expect.stringMatching(/^0\.\d+$/));
    const body = await getThread(thread.id);
    expect(body.running).toBeNull();
    expect(body.messages.map((m: { role: string; status: string }) => [m.role, m.status])).toEqual([["user", "complete"], ["assistant", "complete"]]);
    expect(body.messages[1].parts).toEqual([{ type: "text", text: "Echo: Hello server" }]);
    expect(body.thread.activeLeafId).toBe(posted.body.assistantMessageId);
    expect(body.thread.title).toBe("Hello server");
    expect(body.cost.total).toBe(body.messages[1].cost);
  });

  it("forwards deltas as they arrive (the first text long before the end)", async () => {
    env.emulator.enqueue({ blocks: [{ text: "a b c d e f g h i j" }], deltas: 10, delayMs: 60 });
    const thread = await newThread();
    const posted = await send(thread.id, "slowly");
    const { events: received } = await events(posted.body.generationId);
    const texts = received.filter((e) => e.event === "text");
    expect(texts).toHaveLength(10);
    expect(received.at(-1)!.at - texts[0]!.at).toBeGreaterThan(300);
  });

  it("resumes with Last-Event-ID: the rest of the stream, nothing twice", async () => {
    env.emulator.enqueue({ blocks: [{ text: "one two three four five six seven eight" }], deltas: 8, delayMs: 40 });
    const thread = await newThread();
    const posted = await send(thread.id, "count");
    const first = await events(posted.body.generationId, { stopAfter: 4 });
    const lastId = Number(first.events.at(-1)!.id);
    const rest = await events(posted.body.generationId, { lastEventId: lastId });
    expect(Number(rest.events[0]!.id)).toBe(lastId + 1);
    expect(textOf([...first.events, ...rest.events])).toBe("one two three four five six seven eight");
    // After the end, a late reconnect replays from the database.
    const replay = await events(posted.body.generationId, { lastEventId: 0 });
    expect(textOf(replay.events)).toBe("one two three four five six seven eight");
    expect(replay.events.at(-1)!.event).toBe("done");
  });

  it("finishes and saves an answer whose browser went away", async () => {
    env.emulator.enqueue({ blocks: [{ text: "kept even without anyone listening" }], deltas: 6, delayMs: 30 });
    const thread = await newThread();
    const posted = await send(thread.id, "q");
    await events(posted.body.generationId, { stopAfter: 2 });
    const body = await waitFor(() => getThread(thread.id), (b) => b.messages[1]?.status === "complete");
    expect(body.messages[1].parts).toEqual([{ type: "text", text: "kept even without anyone listening" }]);
  });

  it("Stop aborts the Bedrock call and keeps the partial answer, marked stopped", async () => {
    env.emulator.enqueue({ blocks: [{ text: "a b c d e f g h i j k l m n o p" }], deltas: 16, delayMs: 50 });
    const thread = await newThread();
    const posted = await send(thread.id, "long");
    const reader = events(posted.body.generationId);
    await sleep(250);
    const stop = await server.api("POST", `/api/generations/${posted.body.generationId}/stop`);
    expect(stop).toEqual({ status: 202, body: { status: "stopping" } });
    const { events: received } = await reader;
    expect(received.at(-1)).toMatchObject({ event: "done", data: { status: "stopped" } });
    const body = await getThread(thread.id);
    expect(body.messages[1].status).toBe("stopped");
    expect(body.messages[1].parts[0].text).toBe(textOf(received));
    expect(textOf(received).length).toBeGreaterThan(0);
    expect(textOf(received).length).toBeLessThan("a b c d e f g h i j k l m n o p".length);
    await sleep(100);
    expect(env.emulator.requests[0]!.completed).toBe(false);
    expect((await server.api("POST", `/api/generations/${posted.body.generationId}/stop`)).body).toEqual({ status: "finished" });
  });

  it("refuses a second message while one is generating (409) and stores nothing for it", async () => {
    env.emulator.enqueue({ blocks: [{ text: "x y z" }], deltas: 3, delayMs: 100 });
    const thread = await newThread();
    const first = await send(thread.id, "first");
    const second = await send(thread.id, "second");
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe("conflict");
    expect((await getThread(thread.id)).running).toEqual({ generationId: first.body.generationId, messageId: first.body.assistantMessageId });
    await events(first.body.generationId);
    expect((await getThread(thread.id)).messages.filter((m: { role: string }) => m.role === "user")).toHaveLength(1);
  });
});

describe("errors and retry", () => {
  it("reports a Bedrock error as an SSE error event, saves it, and Retry replaces the failed answer", async () => {
    env.emulator.enqueue({ error: { type: "ThrottlingException", status: 429, message: "Too many requests, please wait before trying again." } });
    const thread = await newThread();
    const posted = await send(thread.id, "please");
    const { events: received } = await events(posted.body.generationId);
    expect(received.find((e) => e.event === "error")!.data).toMatchObject({ code: "throttled", retryable: true, message: expect.stringMatching(/Wait a moment and retry/) });
    expect(received.at(-1)!.data.status).toBe("error");
    const failed = (await getThread(thread.id)).messages[1];
    expect(failed).toMatchObject({ status: "error", error: { code: "throttled" } });

    const retry = await server.api("POST", `/api/messages/${failed.id}/regenerate`, {});
    expect(retry.status).toBe(202);
    await events(retry.body.generationId);
    const body = await getThread(thread.id);
    expect(body.messages.map((m: { role: string; status: string }) => [m.role, m.status])).toEqual([["user", "complete"], ["assistant", "complete"]]);
  });

  it("refuses a Retry while another answer runs in the thread (409) and keeps the failed answer", async () => {
    env.emulator.enqueue({ error: { type: "ThrottlingException", status: 429, message: "Too many requests, please wait before trying again." } });
    const thread = await newThread();
    await events((await send(thread.id, "first")).body.generationId);
    const failed = (await getThread(thread.id)).messages[1];
    expect(failed.status).toBe("error");
    // An edited first question answers slowly, so the thread has an answer running when Retry arrives.
    env.emulator.enqueue({ blocks: [{ text: "slow answer to the edit" }], deltas: 5, delayMs: 60 });
    const edit = await send(thread.id, "first, edited", { parentId: null });
    expect(edit.status).toBe(202);
    const retry = await server.api("POST", `/api/messages/${failed.id}/regenerate`, {});
    expect(retry.status).toBe(409);
    await events(edit.body.generationId);
    const kept = (await getThread(thread.id)).messages.find((m: { id: string }) => m.id === failed.id);
    expect(kept).toMatchObject({ status: "error", error: { code: "throttled" } });
  });

  it("a failed turn leaves later turns valid", async () => {
    const thread = await newThread();
    env.emulator.enqueue({ error: { type: "ValidationException", status: 400, message: "Nope." } });
    await events((await send(thread.id, "fails")).body.generationId);
    const next = await send(thread.id, "works");
    await events(next.body.generationId);
    const sent = withoutCachePoints(env.emulator.requests.at(-1)!.body)["messages"] as { content: { text: string }[] }[];
    expect(sent.map((m) => m.content[0]!.text)).toEqual(["works"]);
  });

  it("refuses bad input with a clear error and stores nothing", async () => {
    const thread = await newThread();
    expect((await send(thread.id, "   ")).body.error).toEqual({ code: "empty_message", message: "The message is empty: type something to send." });
    expect((await send(thread.id, "hi", { settings: { temperature: 3 } })).body.error).toEqual({ code: "invalid_settings", message: "temperature must be between 0 and 1, not 3" });
    expect((await send(thread.id, "hi", { profile: "Nope" })).status).toBe(400);
    expect((await server.api("POST", `/api/threads/${thread.id}/messages`, "{not json")).body.error.code).toBe("invalid_json");
    expect((await server.api("POST", `/api/threads/${thread.id}/messages`, { text: 5 })).body.error.code).toBe("invalid_request");
    expect((await getThread(thread.id)).messages).toEqual([]);
  });

  it("answers 404 for unknown ids", async () => {
    expect((await server.api("GET", "/api/threads/nope")).status).toBe(404);
    expect((await send("nope", "hi")).status).toBe(404);
    expect((await server.api("POST", "/api/messages/nope/regenerate", {})).status).toBe(404);
    expect((await server.api("POST", "/api/generations/nope/stop")).status).toBe(404);
    expect((await events("nope")).status).toBe(404);
    expect((await server.api("DELETE", "/api/threads/nope")).status).toBe(404);
  });
});

describe("branches: edit and regenerate", () => {
  it("regenerate adds a sibling answer; edit adds a sibling question; the active branch decides the history", async () => {
    const thread = await newThread();
    const a = await send(thread.id, "first question");
    await events(a.body.generationId);
    const b = await send(thread.id, "second question");
    await events(b.body.generationId);

    const regen = await server.api("POST", `/api/messages/${b.body.assistantMessageId}/regenerate`, {});
    await events(regen.body.generationId);
    let body = await getThread(thread.id);
    const answers = body.messages.filter((m: { parentId: string }) => m.parentId === b.body.userMessage.id);
    expect(answers).toHaveLength(2);
    expect(body.thread.activeLeafId).toBe(regen.body.assistantMessageId);

    // Edit the second question: a sibling user message under the first answer.
    const edit = await send(thread.id, "second question, edited", { parentId: a.body.assistantMessageId });
    await events(edit.body.generationId);
    const sent = withoutCachePoints(env.emulator.requests.at(-1)!.body)["messages"] as { content: { text: string }[] }[];
    expect(sent.map((m) => m.content[0]!.text)).toEqual(["first question", "Echo: first question", "second question, edited"]);

    // Switch back to the first version of the second question: lands on its newest answer.
    const active = await server.api("PUT", `/api/threads/${thread.id}/active`, { messageId: b.body.userMessage.id });
    expect(active.body.thread.activeLeafId).toBe(regen.body.assistantMessageId);
    const next = await send(thread.id, "third");
    await events(next.body.generationId);
    const sent2 = withoutCachePoints(env.emulator.requests.at(-1)!.body)["messages"] as { content: { text: string }[] }[];
    expect(sent2.map((m) => m.content[0]!.text)).toEqual(["first question", "Echo: first question", "second question", "Echo: second question", "third"]);
    body = await getThread(thread.id);
    expect(body.messages).toHaveLength(9);
  });

  it("switching profile inside a thread keeps the thread; reasoning is not sent to the new model", async () => {
    const thread = await newThread("Claude 3.7 Sonnet");
    await events((await send(thread.id, "think")).body.generationId);
    const switched = await send(thread.id, "now nova", { profile: NOVA });
    const { events: received } = await events(switched.body.generationId);
    expect(received.at(-1)!.data.status).toBe("complete");
    expect((await getThread(thread.id)).thread.profile).toBe(NOVA);
    expect(withoutCachePoints(env.emulator.requests.at(-1)!.body)["messages"]).toEqual([
      { role: "user", content: [{ text: "think" }] },
      { role: "assistant", content: [{ text: "Echo: think" }] },
      { role: "user", content: [{ text: "now nova" }] },
    ]);
  });

  it("an edit of the first question, and a regenerate of its answer, send no history (the old branch is not the past)", async () => {
    const thread = await newThread();
    const first = await send(thread.id, "original question");
    await events(first.body.generationId);
    const edit = await send(thread.id, "edited question", { parentId: null });
    await events(edit.body.generationId);
    expect(withoutCachePoints(env.emulator.requests.at(-1)!.body)["messages"]).toEqual([{ role: "user", content: [{ text: "edited question" }] }]);
    const again = await server.api("POST", `/api/messages/${edit.body.assistantMessageId}/regenerate`, {});
    await events(again.body.generationId);
    expect(withoutCachePoints(env.emulator.requests.at(-1)!.body)["messages"]).toEqual([{ role: "user", content: [{ text: "edited question" }] }]);
  });

  it("settings reach the request and persist on the thread", async () => {
    const thread = await newThread("Claude 3.7 Sonnet");
    const settings = { thinking: false, temperature: 0.3, maxTokens: 1000 };
    await events((await send(thread.id, "hi", { settings })).body.generationId);
    expect(env.emulator.requests.at(-1)!.body["inferenceConfig"]).toEqual({ maxTokens: 1000, temperature: 0.3 });
    expect(env.emulator.requests.at(-1)!.body["additionalModelRequestFields"]).toBeUndefined();
    expect((await getThread(thread.id)).thread.settings).toEqual(settings);
  });

  it("keeps display preferences (show cost, cost precision) per user, not in a thread's settings", async () => {
    expect((await server.api("GET", "/api/preferences")).body.preferences).toEqual({ showCost: false, costPrecision: 4, lastProfile: null, sidebarCollapsed: false });
    const changed = await server.api("PATCH", "/api/preferences", { showCost: true, costPrecision: 6 });
    expect(changed.body.preferences).toMatchObject({ showCost: true, costPrecision: 6 });
    expect((await server.api("GET", "/api/preferences")).body.preferences).toMatchObject({ showCost: true, costPrecision: 6, lastProfile: null });
    const bad = await server.api("PATCH", "/api/preferences", { costPrecision: 11 });
    expect(bad.status).toBe(400);
    // Sent with a thread's settings, they are not stored there.
    const thread = await newThread("Claude 3.7 Sonnet");
    await events((await send(thread.id, "hi", { settings: { maxTokens: 1000, showCost: true, costPrecision: 6 } as never })).body.generationId);
    expect((await getThread(thread.id)).thread.settings).toEqual({ maxTokens: 1000 });
  });

  it("shows reasoning as events with the thinking duration", async () => {
    env.emulator.enqueue({ blocks: [{ reasoning: "pondering deeply" }, { text: "answer" }], deltas: 4, delayMs: 30 });
    const thread = await newThread("Claude 3.7 Sonnet");
    const { events: received } = await events((await send(thread.id, "why")).body.generationId);
    expect(received.filter((e) => e.event === "reasoning").map((e) => e.data.delta).join("")).toBe("pondering deeply");
    const end = received.find((e) => e.event === "reasoning_end")!;
    expect(end.data.ms).toBeGreaterThanOrEqual(90);
    expect(received.indexOf(end)).toBeLessThan(received.findIndex((e) => e.event === "text"));
    expect((await getThread(thread.id)).messages[1].meta.reasoningMs).toBe(end.data.ms);
  });
});

describe("threads", () => {
  it("lists newest first, renames, searches titles and message text, deletes", async () => {
    const t1 = await newThread();
    await events((await send(t1.id, "Tell me about penguins in Antarctica")).body.generationId);
    const t2 = await newThread();
    await events((await send(t2.id, "Recipe for lasagna")).body.generationId);
    const list = (await server.api("GET", "/api/threads")).body.threads.map((t: { id: string }) => t.id);
    expect(list.indexOf(t2.id)).toBeLessThan(list.indexOf(t1.id));

    expect((await server.api("PATCH", `/api/threads/${t2.id}`, { title: "Dinner plans" })).body.thread.title).toBe("Dinner plans");
    const search = async (q: string) => (await server.api("GET", `/api/threads?q=${encodeURIComponent(q)}`)).body.threads.map((t: { id: string }) => t.id);
    expect(await search("dinner")).toEqual([t2.id]);
    expect(await search("antarc")).toEqual([t1.id]); // prefix of a word in a message
    expect(await search("echo penguins")).toEqual([t1.id]); // words from the answer and the question
    expect(await search("lasagna penguins")).toEqual([]);
    expect(await search("type")).toEqual([]); // JSON keys are not searchable

    expect((await server.api("DELETE", `/api/threads/${t2.id}`)).status).toBe(204);
    expect((await server.api("GET", `/api/threads/${t2.id}`)).status).toBe(404);
    expect(await search("dinner")).toEqual([]);
  });
});

describe("request guard and limits", () => {
  it("refuses other hosts (DNS rebinding) and other origins", async () => {
    // fetch() may not set Host; a rebinding attack arrives with the attacker's host name, as here.
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${server.url}/api/threads`, { headers: { host: "evil.example" } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.end();
    });
    expect(status).toBe(421);
    const wrongOrigin = await server.api("POST", "/api/threads", {}, { origin: "http://evil.example" });
    expect(wrongOrigin).toEqual({ status: 403, body: { error: { code: "wrong_origin", message: "Requests from http://evil.example are not allowed." } } });
    expect((await server.api("POST", "/api/threads", {}, { origin: server.url })).status).toBe(201);
  });

  it("answers 413 for a body over the limit", async () => {
    const small = await startChatServer({ bodyLimitBytes: 64 * 1024 });
    try {
      const thread = (await small.api("POST", "/api/threads", {})).body.thread;
      const res = await small.api("POST", `/api/threads/${thread.id}/messages`, { text: "x".repeat(100 * 1024) });
      expect(res.status).toBe(413);
      expect(res.body.error.code).toBe("too_large");
    } finally {
      await small.close();
    }
  });

  it("caps the message length at max_characters_parameter before storing anything", async () => {
    const limited = await startChatServer({ configPatch: { max_characters_parameter: "20" } });
    try {
      const thread = (await limited.api("POST", "/api/threads", {})).body.thread;
      const res = await limited.api("POST", `/api/threads/${thread.id}/messages`, { text: "x".repeat(21) });
      expect(res).toEqual({ status: 400, body: { error: { code: "input_too_long", message: expect.stringMatching(/^Your message is 21 characters long; the limit is 20/) } } });
      expect((await limited.api("GET", `/api/threads/${thread.id}`)).body.messages).toEqual([]);
    } finally {
      await limited.close();
    }
  });

  it("serves OpenAPI at /api/docs and a health check that reaches the database", async () => {
    const doc = await server.api("GET", "/api/docs/json");
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(["/api/threads", "/api/threads/{id}/messages", "/api/generations/{id}/events", "/api/profiles"]));
    expect((await server.api("GET", "/healthz")).body.status).toBe("ok");
  });
});
