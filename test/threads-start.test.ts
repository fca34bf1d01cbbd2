import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useBedrockEmulator } from "./helpers/bedrock-env.js";
import { readEvents, startChatServer, textOf, waitFor, type ChatServer } from "./helpers/chat-server.js";

useBedrockEmulator();

/** A new chat's Send is one request: POST /api/threads with its first message creates the thread and starts the answer. */
describe("POST /api/threads with a first message", () => {
  let server: ChatServer;
  beforeAll(async () => {
    server = await startChatServer();
  });
  afterAll(async () => {
    await waitFor(async () => server.app.generations.runningCount(), (n) => n === 0);
    await server.close();
  });

  it("creates the thread and starts its answer in one request", async () => {
    const res = await server.api("POST", "/api/threads", { profile: "Amazon Nova Pro", message: { text: "Hello in one go" } });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ thread: { profile: "Amazon Nova Pro" }, generationId: expect.any(String), assistantMessageId: expect.any(String), userMessage: { role: "user", parts: [{ type: "text", text: "Hello in one go" }] } });
    const { events } = await readEvents(`${server.url}/api/generations/${res.body.generationId}/events`);
    expect(textOf(events)).toContain("Hello in one go");
    const detail = await server.api("GET", `/api/threads/${res.body.thread.id}`);
    expect(detail.body.messages.map((m: { role: string }) => m.role)).toEqual(["user", "assistant"]);
  });

  it("a refused first message leaves no empty thread behind", async () => {
    const before = (await server.api("GET", "/api/threads")).body.threads.length;
    const res = await server.api("POST", "/api/threads", { profile: "Amazon Nova Pro", message: { text: "   " } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("empty_message");
    expect((await server.api("GET", "/api/threads")).body.threads.length).toBe(before);
  });

  it("without a message it only creates the thread, as before", async () => {
    const res = await server.api("POST", "/api/threads", { profile: "Amazon Nova Pro" });
    expect(res.status).toBe(201);
    expect(res.body.generationId).toBeUndefined();
  });
});
