import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { Decimal } from "decimal.js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { BUNDLED_CONFIG_PATH } from "../src/config/load.js";
import { SecretBox } from "../src/secrets/secret-box.js";
import type { UsageReport } from "../src/shared/accounts.js";
import { useBedrockEmulator } from "./helpers/bedrock-env.js";
import { cachePointCount } from "./helpers/cache-points.js";
import { readEvents, startChatServer, waitFor, type ChatServer } from "./helpers/chat-server.js";
import { startHardHttpServer } from "./mcp/hard-server.js";

/**
 * Prompt caching through the server: the thread's system prompt resolved once (so {{UTC_TIME}} does not break the
 * cache), the "Prompt caching" setting validated and kept per thread, and cache reads and writes stored with the
 * answer, in the usage records and in the admin usage report, with the cost with and without caching.
 */
const env = useBedrockEmulator();
/** The config's prompt with the time in it, long enough to cache (over 1,024 tokens in the emulator's estimate). */
const PROMPT = `The time is {{UTC_TIME}}. ${"Answer with care and precision. ".repeat(140)}`;
const SONNET = "Claude Sonnet 4.5";
const bundled = JSON.parse(readFileSync(BUNDLED_CONFIG_PATH, "utf8")) as { bedrock_models: Record<string, Record<string, any>> };

let now = new Date("2026-11-25T10:00:00Z");
let server: ChatServer;
beforeAll(async () => {
  server = await startChatServer({ configPatch: { default_system_prompt: PROMPT }, clock: () => now });
});
afterAll(async () => server?.close());
afterEach(async () => waitFor(async () => server.app.generations.runningCount(), (n) => n === 0));

const newThread = async (profile: string, settings: Record<string, unknown> = {}) => (await server.api("POST", "/api/threads", { profile, settings })).body.thread as { id: string; settings: Record<string, unknown> };
async function answer(threadId: string, text: string, extra: Record<string, unknown> = {}) {
  const posted = await server.api("POST", `/api/threads/${threadId}/messages`, { text, ...extra });
  expect(posted.status, JSON.stringify(posted.body)).toBe(202);
  const { events } = await readEvents(`${server.url}/api/generations/${posted.body.generationId}/events`);
  expect(events.at(-1)!.data).toMatchObject({ type: "done", status: "complete" });
  const detail = (await server.api("GET", `/api/threads/${threadId}`)).body;
  return { message: detail.messages.find((m: { id: string }) => m.id === posted.body.assistantMessageId), body: env.emulator.requests.at(-1)!.body as Record<string, any>, events };
}
const prompt = (u: { inputTokens: number; cacheReadInputTokens: number; cacheWriteInputTokens: number }) => u.inputTokens + u.cacheReadInputTokens + u.cacheWriteInputTokens;

describe("prompt caching through the server", () => {
  it("a {{UTC_TIME}} prompt is resolved once per thread: turn 2, a minute later, sends the same system text and reads what turn 1 wrote", async () => {
    const thread = await newThread(SONNET);
    const one = await answer(thread.id, "What is a prime number?");
    now = new Date(now.getTime() + 61_000);
    const two = await answer(thread.id, "And a composite one?");
    expect(one.body["system"][0].text).toMatch(/^The time is 2026-11-25 10:00:00 UTC\. /);
    expect(two.body["system"]).toEqual(one.body["system"]);
    expect(one.message.usage.cacheWriteInputTokens).toBeGreaterThan(1024);
    expect(two.message.usage.cacheReadInputTokens).toBe(prompt(one.message.usage));
    expect(two.message.usage.inputTokens).toBe(0);
    // A new thread takes the time of its own first turn: a new prefix, nothing to read.
    const other = await answer((await newThread(SONNET)).id, "What is a prime number?");
    expect(other.body["system"][0].text).toMatch(/^The time is 2026-11-25 10:01:01 UTC\. /);
    expect(other.message.usage.cacheReadInputTokens).toBe(0);
  });

  it("the usage event of each model call and the saved answer carry the cache tokens; the cost counts them at their prices", async () => {
    const thread = await newThread(SONNET, { thinking: false });
    await answer(thread.id, "first");
    const { message, events } = await answer(thread.id, "second");
    const usage = events.find((e) => e.event === "usage")!.data;
    expect(usage.usage).toEqual(message.usage);
    const { cacheReadInputTokens: read, cacheWriteInputTokens: written, outputTokens: out, cacheWrite1hInputTokens } = message.usage;
    expect(read).toBeGreaterThan(1024);
    expect(cacheWrite1hInputTokens).toBe(0);
    const per1k = (tokens: number, price: string) => new Decimal(tokens).div(1000).mul(price);
    expect(message.cost).toBe(per1k(read, "0.0003").plus(per1k(written, "0.00375")).plus(per1k(out, "0.015")).toFixed());
    expect(usage.cost).toBe(message.cost);
  });
});

describe("a tool round through the server", () => {
  it("each model call reads the one before it; the answer keeps each call's tokens and their sum", async () => {
    const hard = await startHardHttpServer();
    const tools = await startChatServer({ mcp: { keys: { available: true, box: new SecretBox(randomBytes(32)), source: "SECRET_KEY" }, allowPrivateNetworks: true } });
    try {
      const added = await tools.api("POST", "/api/mcp/servers", { name: "hard", url: hard.url });
      expect(added.status).toBe(201);
      expect((await tools.api("PATCH", `/api/mcp/servers/${added.body.server.id}`, { askBeforeRunning: false })).status).toBe(200);
      const thread = (await tools.api("POST", "/api/threads", { profile: SONNET, settings: { thinking: false, system: PROMPT } })).body.thread.id as string;
      env.emulator.enqueue({ blocks: [{ toolUse: { id: "t1", name: "hard__add", input: { a: 2, b: 3 } } }] });
      const posted = await tools.api("POST", `/api/threads/${thread}/messages`, { text: "add 2 and 3" });
      const { events } = await readEvents(`${tools.url}/api/generations/${posted.body.generationId}/events`, { timeoutMs: 20_000 });
      expect(events.at(-1)!.data).toMatchObject({ type: "done", status: "complete" });
      const message = (await tools.api("GET", `/api/threads/${thread}`)).body.messages.find((m: { id: string }) => m.id === posted.body.assistantMessageId);
      const [first, second] = message.meta.calls;
      expect(message.meta.calls).toHaveLength(2);
      expect(second.cacheReadInputTokens).toBe(prompt(first));
      expect(env.emulator.requests.slice(-2).map((r) => cachePointCount(r.body))).toEqual([3, 4]);
      // The answer's usage is the sum of its calls; each call had its own usage event.
      for (const key of ["inputTokens", "outputTokens", "cacheReadInputTokens", "cacheWriteInputTokens"] as const) expect(message.usage[key]).toBe(first[key] + second[key]);
      expect(events.filter((e) => e.event === "usage").map((e) => e.data.usage)).toEqual([first, second]);
    } finally {
      await tools.close();
      await hard.close();
    }
  });
});

describe('the "Prompt caching" setting', () => {
  it("is described for the profiles whose config enables caching, on by default there", async () => {
    const profiles = (await server.api("GET", "/api/profiles")).body.profiles as { name: string; settings: { promptCaching: unknown } }[];
    const rule = (name: string) => profiles.find((p) => p.name === name)!.settings.promptCaching;
    expect(rule(SONNET)).toEqual({ available: true, default: true });
    expect(rule("Amazon Nova Micro")).toEqual({ available: true, default: true });
    expect(rule("Meta Llama 4 Scout")).toEqual({ available: false, default: false });
  });

  it("off: saved with the thread, and no checkpoint is sent, on this turn or the next (which uses the stored settings)", async () => {
    const thread = await newThread(SONNET, { promptCaching: false });
    expect(thread.settings).toEqual({ promptCaching: false });
    const one = await answer(thread.id, "hello");
    const two = await answer(thread.id, "again");
    expect([one.body, two.body].map(cachePointCount)).toEqual([0, 0]);
    expect(two.message.usage).toMatchObject({ cacheReadInputTokens: 0, cacheWriteInputTokens: 0 });
    // Switched back on in the next message's settings: checkpoints again, and the thread keeps the new value.
    const three = await answer(thread.id, "and now?", { settings: { promptCaching: true } });
    expect(cachePointCount(three.body)).toBe(3);
    expect((await server.api("GET", `/api/threads/${thread.id}`)).body.thread.settings).toEqual({ promptCaching: true });
  });

  it("is validated like the other settings: not a boolean is a 400; on for a profile that cannot cache is dropped", async () => {
    const bad = await server.api("POST", "/api/threads", { profile: SONNET, settings: { promptCaching: "no" } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toMatch(/promptCaching/);
    const llama = await newThread("Meta Llama 4 Scout", { promptCaching: true });
    expect(llama.settings).toEqual({});
    const sent = await answer(llama.id, "hello", { settings: { promptCaching: true } });
    expect(cachePointCount(sent.body)).toBe(0);
  });
});

describe("usage records and the admin usage report", () => {
  it("keep the cache tokens and the cost with and without caching, exactly, per user and model", async () => {
    const since = (await server.api("GET", "/api/admin/usage?days=1")).body as UsageReport;
    const before = since.rows.filter((r) => r.modelId.includes("claude-sonnet-4-5"));
    const thread = await newThread(SONNET, { thinking: false });
    const one = await answer(thread.id, "count the primes below 10");
    const two = await answer(thread.id, "and below 20?");
    const records = await server.db.selectFrom("usage_records").selectAll().where("thread_id", "=", thread.id).orderBy("created_at").orderBy("id").execute();
    expect(records.map((r) => [r.input_tokens, r.cache_read_tokens, r.cache_write_tokens, r.cache_write_1h_tokens, r.cost])).toEqual(
      [one.message, two.message].map((m) => [m.usage.inputTokens, m.usage.cacheReadInputTokens, m.usage.cacheWriteInputTokens, 0, m.cost]),
    );
    // Without caching: every input token, cached or not, at 0.003 per 1,000, plus the output at 0.015.
    const uncached = (m: typeof one.message) => new Decimal(prompt(m.usage)).div(1000).mul("0.003").plus(new Decimal(m.usage.outputTokens).div(1000).mul("0.015")).toFixed();
    expect(records.map((r) => r.uncached_cost)).toEqual([uncached(one.message), uncached(two.message)]);
    expect(new Decimal(records[1]!.uncached_cost!).gt(records[1]!.cost!)).toBe(true);

    const report = (await server.api("GET", "/api/admin/usage?days=1")).body as UsageReport;
    const rows = report.rows.filter((r) => r.modelId.includes("claude-sonnet-4-5"));
    const sum = (list: typeof rows, pick: (r: (typeof rows)[number]) => string | number) => list.reduce((n, r) => n.plus(pick(r)), new Decimal(0));
    expect(sum(rows, (r) => r.cost).minus(sum(before, (r) => r.cost)).toFixed()).toBe(new Decimal(one.message.cost).plus(two.message.cost).toFixed());
    expect(sum(rows, (r) => r.uncachedCost).minus(sum(before, (r) => r.uncachedCost)).toFixed()).toBe(new Decimal(uncached(one.message)).plus(uncached(two.message)).toFixed());
    expect(sum(rows, (r) => r.cacheReadTokens).minus(sum(before, (r) => r.cacheReadTokens)).toNumber()).toBe(one.message.usage.cacheReadInputTokens + two.message.usage.cacheReadInputTokens);
    // The bundled config prices every caching profile's cache tokens.
    expect(report.missingCachePrices).toEqual([]);
  });

  it("names the caching profiles whose config lacks cache prices", async () => {
    const models = structuredClone(bundled.bedrock_models);
    delete models["Amazon Nova Pro"]!["cost"].cache_read_1k_price;
    models[SONNET]!["prompt_caching"] = { ttl: "1h" };
    delete models[SONNET]!["cost"].cache_write_1h_1k_price;
    const other = await startChatServer({ configPatch: { bedrock_models: models } });
    try {
      const report = (await other.api("GET", "/api/admin/usage?days=1")).body as UsageReport;
      expect(report.missingCachePrices).toEqual([
        { profile: SONNET, modelId: "global.anthropic.claude-sonnet-4-5-20250929-v1:0", missing: ["cache_write_1h_1k_price"] },
        { profile: "Amazon Nova Pro", modelId: "us.amazon.nova-pro-v1:0", missing: ["cache_read_1k_price"] },
      ]);
    } finally {
      await other.close();
    }
  });
});
