import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { BUNDLED_CONFIG_PATH, loadConfig } from "../src/config/load.js";
import { buildApp } from "../src/server/app.js";
import { BedrockProvider } from "../src/providers/bedrock/provider.js";
import { openDatabase } from "../src/store/db.js";

let app: FastifyInstance;
beforeAll(async () => {
  const db = await openDatabase(":memory:");
  app = await buildApp({ config: loadConfig(BUNDLED_CONFIG_PATH).config, db, provider: new BedrockProvider(), origins: ["http://localhost:80"], logLevel: "silent" });
});
afterAll(async () => app.close());

describe("server foundation", () => {
  it("GET /healthz says the server and its database answer, and nothing about its use (anyone can ask it)", async () => {
    const res = await app.inject({ method: "GET", url: "/healthz" });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: "ok" });
  });

  it("GET /api/profiles lists the profiles in config order with capabilities and settings ranges", async () => {
    const res = await app.inject({ method: "GET", url: "/api/profiles" });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.defaultProfile).toBe("Claude 3.7 Sonnet");
    expect(body.profiles).toHaveLength(21);
    const claude = body.profiles.find((p: { name: string }) => p.name === "Claude 3.7 Sonnet");
    expect(claude).toMatchObject({
      modelId: "us.anthropic.claude-3-7-sonnet-20250219-v1:0",
      region: "us-west-2",
      default: true,
      capabilities: { vision: true, document: true, tool: true, streaming: true, reasoning: "anthropic" },
      price: { input1k: "0.003", output1k: "0.015" },
      settings: {
        maxTokens: { min: 1, max: 64000, default: 8192 },
        budgetTokens: { available: true, min: 1024, max: 64000, default: 4096 },
        thinking: { available: true, alwaysOn: false, default: true },
        effort: { available: false },
        interleaved: { available: false },
        temperature: { available: true, min: 0, max: 1, default: 1, fixedWhileThinking: true },
        topP: { available: false },
      },
    });
    const gpt = body.profiles.find((p: { name: string }) => p.name === "OpenAI GPT OSS 20B");
    expect(gpt.settings).toMatchObject({ effort: { available: true, options: ["low", "medium", "high"], default: "medium" }, thinking: { alwaysOn: true }, temperature: { available: false } });
    // Display preferences (cost precision) are the user's, not a profile's settings: see /api/preferences.
    expect(claude.settings.costPrecision).toBeUndefined();
    // The picker's data (issue 12): provider and context window from config.example.json, and the starter prompts.
    expect([claude.provider, claude.contextWindow]).toEqual(["Anthropic", 200000]);
    expect(body.profiles.find((p: { name: string }) => p.name === "Qwen 3 32B").contextWindow).toBeNull();
    expect(body.starterPrompts[0]).toEqual({ title: "Explain a concept simply", prompt: "Explain how public-key cryptography works, as if I were new to it." });
  });

  it("unknown routes are 404 with the error shape", async () => {
    const res = await app.inject({ method: "GET", url: "/api/nothing" });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: { code: "not_found", message: "No route for GET /api/nothing" } });
  });
});
