import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useBedrockEmulator } from "./helpers/bedrock-env.js";
import { startChatServer, type ChatServer } from "./helpers/chat-server.js";
import { LogLines } from "./helpers/log-lines.js";

useBedrockEmulator();

// A word that appears nowhere else, searched for as a user would.
const WORD = "zanzibarquokka";
let server: ChatServer;
const logs = new LogLines();
beforeAll(async () => {
  server = await startChatServer({ logLevel: "info", logStream: logs });
});
afterAll(async () => server?.close());

describe("request logs", () => {
  it("log the search route's path and keys but never the search terms", async () => {
    expect((await server.api("GET", `/api/threads?q=${WORD}`)).status).toBe(200);
    expect((await server.api("GET", `/api/threads?q=${encodeURIComponent(`trip to ${WORD}`)}`)).status).toBe(200);
    expect(logs.requests("/api/threads").map((req) => req.url)).toEqual(["/api/threads?q=[redacted]", "/api/threads?q=[redacted]"]);
    expect(logs.all()).not.toContain(WORD);
  });

  it("keep the query out of the lines of unknown routes and refused requests", async () => {
    const missing = await server.api("GET", `/api/nothing?q=${WORD}`);
    expect(missing.status).toBe(404);
    const invalid = await server.api("GET", `/api/threads?q=${WORD}${"x".repeat(600)}`);
    expect(invalid.status).toBe(400);
    expect(logs.requests("/api/nothing").map((req) => req.url)).toEqual(["/api/nothing?q=[redacted]"]);
    const completed = logs.entries().filter((e) => e["msg"] === "request completed");
    expect(completed.map((e) => e["res"]?.statusCode)).toEqual(expect.arrayContaining([404, 400]));
    expect(logs.all()).not.toContain(WORD);
  });
});
