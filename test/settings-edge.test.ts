import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { useBedrockEmulator } from "./helpers/bedrock-env.js";
import { readEvents, startChatServer, waitFor, type ChatServer } from "./helpers/chat-server.js";

const env = useBedrockEmulator();
let server: ChatServer;
beforeAll(async () => {
  server = await startChatServer();
});
afterAll(async () => server?.close());
afterEach(async () => waitFor(async () => server.app.generations.runningCount(), (n) => n === 0));

const CLAUDE = "Claude 3.7 Sonnet";
const NOVA = "Amazon Nova Pro";
const newThread = async (profile: string, settings: Record<string, unknown> = {}) => (await server.api("POST", "/api/threads", { profile, settings })).body.thread as { id: string; settings: Record<string, unknown> };
const send = (threadId: string, body: Record<string, unknown>) => server.api("POST", `/api/threads/${threadId}/messages`, { text: "hi", ...body });
const events = (generationId: string) => readEvents(`${server.url}/api/generations/${generationId}/events`);
const messagesOf = async (threadId: string) => (await server.api("GET", `/api/threads/${threadId}/messages`)).body.messages as unknown[];

/** Out-of-range values, each with the 400 text that names the setting and its range. */
const outOfRange: [string, Record<string, unknown>, string][] = [
  ["temperature", { thinking: false, temperature: 1.5 }, "temperature must be between 0 and 1, not 1.5"],
  ["top P", { thinking: false, topP: -0.1 }, "top P must be between 0 and 1, not -0.1"],
  ["max tokens", { maxTokens: 70000 }, "max tokens must be a whole number from 1 to 64000, not 70000"],
  ["max tokens (fraction)", { maxTokens: 10.5 }, "max tokens must be a whole number from 1 to 64000, not 10.5"],
  ["thinking budget", { budgetTokens: 100 }, "thinking budget must be a whole number from 1024 to 64000, not 100"],
];

/** Settings are checked once, at the edge, against the profile: every route that stores or uses them. */
describe("settings checked at the edge", () => {
  describe.each(outOfRange)("%s out of range", (_what, settings, message) => {
    it("is refused when a thread is created with it", async () => {
      const res = await server.api("POST", "/api/threads", { profile: CLAUDE, settings });
      expect(res.status).toBe(400);
      expect(res.body.error).toEqual({ code: "invalid_settings", message });
    });

    it("is refused when a thread's settings are changed to it, and the stored ones stay", async () => {
      const thread = await newThread(CLAUDE, { maxTokens: 2000 });
      const res = await server.api("PATCH", `/api/threads/${thread.id}`, { settings });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toBe(message);
      expect((await server.api("GET", `/api/threads/${thread.id}`)).body.thread.settings).toEqual({ maxTokens: 2000 });
    });

    it("is refused with a message, which stores nothing", async () => {
      const thread = await newThread(CLAUDE);
      const res = await send(thread.id, { settings });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toBe(message);
      expect(await messagesOf(thread.id)).toEqual([]);
    });

    it("is refused with a regenerate", async () => {
      const thread = await newThread(CLAUDE, { thinking: false });
      const first = await send(thread.id, {});
      await events(first.body.generationId);
      const res = await server.api("POST", `/api/messages/${first.body.assistantMessageId}/regenerate`, { settings });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toBe(message);
      expect(await messagesOf(thread.id)).toHaveLength(2);
    });
  });

  it("drops controls the profile does not have from a request (switching profile never breaks sending)", async () => {
    const thread = await newThread(NOVA);
    const res = await send(thread.id, { settings: { thinking: true, budgetTokens: 4096, effort: "high", interleaved: true, maxTokens: 1000 } });
    expect(res.status).toBe(202);
    await events(res.body.generationId);
    expect(env.emulator.requests.at(-1)!.body["additionalModelRequestFields"]).toBeUndefined();
    expect((await server.api("GET", `/api/threads/${thread.id}`)).body.thread.settings).toEqual({ maxTokens: 1000 });
    // Temperature while Claude thinks: the control is fixed, so it is dropped too.
    const claude = await newThread(CLAUDE, { temperature: 0.2 });
    expect(claude.settings).toEqual({});
  });

  it("adapts stored settings that no longer fit, with a notice, never an error", async () => {
    const thread = await newThread(CLAUDE, { maxTokens: 60000, thinking: false, temperature: 0.4 });
    const res = await send(thread.id, { profile: NOVA });
    expect(res.status).toBe(202);
    const { events: received } = await events(res.body.generationId);
    const notice = "Max tokens lowered from 60000 to 5120, the most this profile allows.";
    expect(received.filter((e) => e.event === "notice").map((e) => e.data.message)).toEqual([notice]);
    expect(env.emulator.requests.at(-1)!.body["inferenceConfig"]).toEqual({ maxTokens: 5120, temperature: 0.4 });
    const body = (await server.api("GET", `/api/threads/${thread.id}`)).body;
    expect(body.messages[1].meta.notices).toEqual([notice]);
    // The thread now remembers what fits, so the notice is told once.
    expect(body.thread.settings).toEqual({ maxTokens: 5120, temperature: 0.4 });
  });
});
