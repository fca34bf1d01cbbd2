import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BedrockAgentClient } from "@aws-sdk/client-bedrock-agent";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BUNDLED_CONFIG_PATH } from "../src/config/load.js";
import { BedrockPromptStore } from "../src/prompts/bedrock/store.js";
import { openDatabase } from "../src/store/db.js";
import { setPin } from "../src/store/prompt-pins.js";
import { startAgentEmulator } from "./agent-emulator/server.js";
import { useAgentEmulator } from "./helpers/agent-env.js";
import { useBedrockEmulator } from "./helpers/bedrock-env.js";
import { readEvents, startChatServer, waitFor, type ChatServer } from "./helpers/chat-server.js";
import { LogLines } from "./helpers/log-lines.js";

const runtime = useBedrockEmulator();
const agent = useAgentEmulator();

/** The bundled config with a profile of its own prompt (Amazon Nova Pro), so there are two prompts: default and Nova. */
const bundled = JSON.parse(readFileSync(BUNDLED_CONFIG_PATH, "utf8")) as { bedrock_models: Record<string, Record<string, unknown>> };
const configPatch = {
  default_system_prompt: "You are a helpful assistant. Today is {{TODAY}}.",
  bedrock_models: { ...bundled.bedrock_models, "Amazon Nova Pro": { ...bundled.bedrock_models["Amazon Nova Pro"], system_prompt: "Nova here at {{UTC_TIME}}; {{AI}} stays." } },
};
const NOVA = "Amazon Nova Pro";

let now = new Date("2026-11-25T10:00:00Z");
const clock = () => now;
const servers: ChatServer[] = [];
async function start(options: Parameters<typeof startChatServer>[0] = {}): Promise<ChatServer> {
  const server = await startChatServer({ configPatch, clock, ...options });
  servers.push(server);
  return server;
}
const bedrock = () => new BedrockPromptStore({ region: "us-west-2" });
const agentWrites = () => agent.emulator.requests.filter((r) => r.operation === "CreatePrompt" || r.operation === "CreatePromptVersion" || r.operation === "UpdatePrompt");

beforeEach(() => {
  agent.emulator.reset();
  now = new Date("2026-11-25T10:00:00Z");
});
afterEach(async () => {
  for (const server of servers.splice(0)) {
    await waitFor(async () => server.app.generations.runningCount(), (n) => n === 0);
    await server.close();
  }
});

/** Sends one message and waits for the answer; returns the system text Bedrock received and the answer's meta. */
async function turn(server: ChatServer, threadId: string, text = "Hello", settings?: Record<string, unknown>) {
  const before = runtime.emulator.requests.length;
  const sent = await server.api("POST", `/api/threads/${threadId}/messages`, { text, ...(settings ? { settings } : {}) });
  expect(sent.status, JSON.stringify(sent.body)).toBe(202);
  await readEvents(`${server.url}/api/generations/${sent.body.generationId}/events`);
  const request = runtime.emulator.requests.slice(before).find((r) => !JSON.stringify(r.body).includes("short title"))!;
  const messages = (await server.api("GET", `/api/threads/${threadId}`)).body.messages as { id: string; role: string; meta: Record<string, any> }[];
  const answer = messages.filter((m) => m.role === "assistant").at(-1)!;
  return { system: (request.body["system"] as { text: string }[] | undefined)?.[0]?.text, meta: answer.meta };
}
async function newThread(server: ChatServer, profile?: string): Promise<string> {
  return (await server.api("POST", "/api/threads", profile ? { profile } : {})).body.thread.id as string;
}

describe("seeding", () => {
  it("creates one prompt per profile with its own text plus the default, each published as version 1; a restart creates nothing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "prompts-seed-"));
    const first = await start({ database: dir, prompts: { store: bedrock() } });
    expect(agent.emulator.promptNames().sort()).toEqual(["fllm-Amazon-Nova-Pro", "fllm-default"]);
    const list = (await first.api("GET", "/api/admin/prompts")).body;
    expect(list.store).toBe("bedrock");
    expect(list.prompts.map((p: any) => [p.label, p.inUse, p.serving])).toEqual([
      ["Default", 1, "pinned"],
      [NOVA, 1, "pinned"],
    ]);
    await first.close();
    servers.splice(servers.indexOf(first), 1);
    agent.emulator.requests.length = 0;
    await start({ database: dir, prompts: { store: bedrock() } });
    expect(agentWrites()).toEqual([]);
    // A pinned version's text is read once per instance, nothing else.
    expect(agent.emulator.requests.map((r) => r.operation)).toEqual(["GetPrompt", "GetPrompt"]);
  });

  it("two instances starting at once on one account and one database end with one prompt and one version each", async () => {
    const dir = mkdtempSync(join(tmpdir(), "prompts-race-"));
    await (await openDatabase(dir)).destroy();
    const [a, b] = await Promise.all([start({ database: dir, prompts: { store: bedrock() } }), start({ database: dir, prompts: { store: bedrock() } })]);
    expect(agent.emulator.promptNames().sort()).toEqual(["fllm-Amazon-Nova-Pro", "fllm-default"]);
    const versions = agent.emulator.requests.filter((r) => r.operation === "CreatePromptVersion" && r.status === 201).map((r) => r.path);
    // Both may ask; the shared client token makes each prompt's version 1 once.
    expect(new Set(versions).size).toBe(2);
    const pinsA = (await a.api("GET", "/api/admin/prompts")).body.prompts.map((p: any) => p.inUse);
    const pinsB = (await b.api("GET", "/api/admin/prompts")).body.prompts.map((p: any) => p.inUse);
    expect(pinsA).toEqual([1, 1]);
    expect(pinsB).toEqual([1, 1]);
  });

  it("on the local store too: two instances at once, one prompt and one version each; an existing prompt is never overwritten", async () => {
    const dir = mkdtempSync(join(tmpdir(), "prompts-local-"));
    await (await openDatabase(dir)).destroy();
    const [a] = await Promise.all([start({ database: dir }), start({ database: dir })]);
    const names = await a.db.selectFrom("prompts").select("name").orderBy("name").execute();
    expect(names.map((n) => n.name)).toEqual(["fllm-Amazon-Nova-Pro", "fllm-default"]);
    expect((await a.db.selectFrom("prompt_versions").select("version").execute()).map((v) => v.version)).toEqual([1, 1]);
    await a.api("PUT", "/api/admin/prompt/draft", { name: "fllm-default", text: "Edited by an admin" });
    const again = await start({ database: dir, configPatch: { ...configPatch, default_system_prompt: "A new config text" } });
    const detail = (await again.api("GET", "/api/admin/prompt?name=fllm-default")).body.prompt;
    expect(detail.draft.text).toBe("Edited by an admin");
    expect(detail.versions).toHaveLength(1);
  });

  it("PROMPT_IDS seeds the first pin with the deployment's prompt and version, and nothing is created for it", async () => {
    const store = bedrock();
    const made = await store.create({ name: "deployed-default", text: "Deployed text on {{TODAY}}", clientToken: "deployment-token-0000000000000000000000" });
    await store.createVersion(made.id, {});
    store.close();
    agent.emulator.requests.length = 0;
    const server = await start({ prompts: { store: bedrock(), seedIds: { default: { id: made.id, version: 1 } } } });
    expect(agentWrites().map((r) => r.body?.["name"] ?? r.path)).toEqual(["fllm-Amazon-Nova-Pro", `/prompts/${(await new BedrockPromptStore({ region: "us-west-2" }).findByName("fllm-Amazon-Nova-Pro"))!.id}/versions`]);
    const thread = await newThread(server);
    expect((await turn(server, thread)).system).toBe("Deployed text on 2026-11-25");
  });
});

describe("at runtime", () => {
  it("a thread takes the pinned version at its first turn, with the variables of that moment, and keeps it; new threads get a new version", async () => {
    const server = await start({ prompts: { store: bedrock() } });
    const thread = await newThread(server);
    const first = await turn(server, thread);
    expect(first.system).toBe("You are a helpful assistant. Today is 2026-11-25.");
    expect(first.meta.systemPrompt).toMatchObject({ source: "prompt", name: "fllm-default", version: 1 });

    const published = await server.api("POST", "/api/admin/prompt/versions", { name: "fllm-default", note: "Shorter", text: "Be brief. Date: {{TODAY}}." });
    expect(published.status).toBe(201);
    expect(published.body.version).toBe(2);
    now = new Date("2026-11-26T08:00:00Z");
    // The same thread: the same text as its first turn (its prefix never changes).
    const second = await turn(server, thread);
    expect(second.system).toBe("You are a helpful assistant. Today is 2026-11-25.");
    expect(second.meta.systemPrompt).toMatchObject({ version: 1 });
    // A new thread: the published version, with today's date.
    const other = await newThread(server);
    expect((await turn(server, other)).system).toBe("Be brief. Date: 2026-11-26.");

    // Settings: the text in use, the latest version, and "Use the latest prompt".
    const state = (await server.api("GET", `/api/threads/${thread}/system-prompt`)).body.systemPrompt;
    expect(state).toEqual({ source: "prompt", text: "You are a helpful assistant. Today is 2026-11-25.", version: 1, latestVersion: 2, frozen: true });
    const latest = (await server.api("POST", `/api/threads/${thread}/system-prompt/latest`, {})).body.systemPrompt;
    expect(latest).toMatchObject({ text: "Be brief. Date: 2026-11-26.", version: 2, latestVersion: 2 });
    expect((await turn(server, thread)).system).toBe("Be brief. Date: 2026-11-26.");
    const preview = (await server.api("GET", `/api/system-prompt?profile=${encodeURIComponent(NOVA)}`)).body.systemPrompt;
    expect(preview).toEqual({ source: "prompt", text: "Nova here at 2026-11-26 08:00:00 UTC; {{AI}} stays.", version: 1, latestVersion: 1, frozen: false });
  });

  it("a profile's own prompt: {{UTC_TIME}} filled, unknown braces left as written; switching profile takes the other prompt", async () => {
    const server = await start();
    const thread = await newThread(server, NOVA);
    const nova = await turn(server, thread);
    expect(nova.system).toBe("Nova here at 2026-11-25 10:00:00 UTC; {{AI}} stays.");
    expect(nova.meta.systemPrompt).toMatchObject({ source: "prompt", name: "fllm-Amazon-Nova-Pro", key: "profile:Amazon Nova Pro", version: 1 });
    await server.api("PATCH", `/api/threads/${thread}`, { profile: "Claude 3.7 Sonnet" });
    const claude = await turn(server, thread);
    expect(claude.system).toBe("You are a helpful assistant. Today is 2026-11-25.");
  });

  it("the user's override is used and recorded as override; the per-version figures count only prompt answers", async () => {
    const server = await start();
    const thread = await newThread(server);
    const mine = await turn(server, thread, "Hi", { system: "Mine, on {{TODAY}}." });
    expect(mine.system).toBe("Mine, on 2026-11-25.");
    expect(mine.meta.systemPrompt).toEqual({ source: "override" });
    const other = await newThread(server);
    await turn(server, other);
    await turn(server, other);
    const versions = (await server.api("GET", "/api/admin/prompt?name=fllm-default")).body.prompt.versions;
    expect(versions).toHaveLength(1);
    expect(versions[0].stats.answers).toBe(2);
    expect(versions[0].stats.inputTokens).toBeGreaterThan(0);
    expect(versions[0].stats.outputTokens).toBeGreaterThan(0);
    expect(Number(versions[0].stats.cost)).toBeGreaterThan(0);
  });

  it("roll back pins an earlier version for new threads and keeps the newer ones; every change is in the audit log", async () => {
    const server = await start({ prompts: { store: bedrock() } });
    await server.api("PUT", "/api/admin/prompt/draft", { name: "fllm-default", text: "Version two text" });
    await server.api("POST", "/api/admin/prompt/versions", { name: "fllm-default", note: "v2" });
    expect((await turn(server, await newThread(server))).system).toBe("Version two text");
    const rolled = await server.api("PUT", "/api/admin/prompt/pin", { name: "fllm-default", version: 1 });
    expect(rolled.status).toBe(200);
    expect(rolled.body.prompt.inUse).toBe(1);
    expect(rolled.body.prompt.versions.map((v: any) => v.version)).toEqual([1, 2]);
    expect((await turn(server, await newThread(server))).system).toBe("You are a helpful assistant. Today is 2026-11-25.");
    const version2 = (await server.api("GET", "/api/admin/prompt/version?name=fllm-default&version=2")).body.version;
    expect(version2).toMatchObject({ version: 2, text: "Version two text", note: "v2" });
    const actions = (await server.api("GET", "/api/admin/audit")).body.entries.map((e: any) => [e.action, e.detail.version ?? null]);
    expect(actions).toEqual([
      ["prompt.rolled_back", 1],
      ["prompt.published", 2],
      ["prompt.draft_saved", null],
    ]);
  });

  it("a warm cache makes no Prompt Management call per turn, for old and new threads alike", async () => {
    const server = await start({ prompts: { store: bedrock(), ttlMs: 0 } });
    agent.emulator.requests.length = 0;
    const thread = await newThread(server);
    for (let i = 0; i < 5; i++) await turn(server, thread, `turn ${i}`);
    for (let i = 0; i < 5; i++) await turn(server, await newThread(server, i % 2 ? NOVA : undefined));
    // ttlMs 0: the pin is read from our database on each new thread's first turn, and the text comes from memory.
    expect(agent.emulator.requests).toEqual([]);
  });

  it("with Bedrock down: the last cached version is used and the error logged; with nothing cached, the config's text, and the admin page says so", async () => {
    const down = await startAgentEmulator();
    const client = () => new BedrockAgentClient({ region: "us-west-2", endpoint: down.url, maxAttempts: 1 });
    const dir = mkdtempSync(join(tmpdir(), "prompts-down-"));
    const logs = new LogLines();
    const server = await start({ database: dir, logLevel: "error", logStream: logs, prompts: { store: new BedrockPromptStore({ region: "us-west-2", client: client() }), ttlMs: 0 } });
    const thread = await newThread(server);
    expect((await turn(server, thread)).system).toBe("You are a helpful assistant. Today is 2026-11-25.");
    // Another instance published version 2 (its pin is in the database) while Bedrock is unreachable from here.
    const promptId = (await server.db.selectFrom("prompt_pins").select("prompt_id").where("prompt_key", "=", "default").executeTakeFirstOrThrow()).prompt_id;
    await down.close();
    await setPin(server.db, "bedrock", "default", { promptId, version: 2 }, null, now);
    const cached = await turn(server, await newThread(server));
    expect(cached.system).toBe("You are a helpful assistant. Today is 2026-11-25.");
    expect(cached.meta.systemPrompt).toMatchObject({ source: "prompt", version: 1 });
    expect(logs.all()).toContain("using the last cached version");
    const list = (await server.api("GET", "/api/admin/prompts")).body.prompts[0];
    expect(list).toMatchObject({ serving: "cached", inUse: 1 });
    expect(list.problem).toMatch(/cannot be reached|ECONNREFUSED/);

    // A fresh instance with nothing cached: the config's text, recorded as such, and the page says so.
    const cold = await start({ database: dir, configPatch: { ...configPatch, default_system_prompt: "Config text on {{TODAY}}" }, prompts: { store: new BedrockPromptStore({ region: "us-west-2", client: client() }), ttlMs: 0 } });
    const fallback = await turn(cold, await newThread(cold));
    expect(fallback.system).toBe("Config text on 2026-11-25");
    expect(fallback.meta.systemPrompt).toEqual({ source: "config" });
    expect((await cold.api("GET", "/api/admin/prompts")).body.prompts[0]).toMatchObject({ serving: "config", inUse: null });
    const failed = await cold.api("PUT", "/api/admin/prompt/draft", { name: "fllm-default", text: "kept" });
    expect(failed.status).toBe(503);
    expect(failed.body.error.message).toMatch(/cannot be reached/);
  });
});

describe("the config's text when the store cannot be reached", () => {
  it("is resolved once per thread too: a {{UTC_TIME}} prompt keeps its first turn's time (the prefix stays cacheable), and the thread takes the store's version once the store answers again", async () => {
    const dir = mkdtempSync(join(tmpdir(), "prompts-config-frozen-"));
    // Seeded while the store answers (the pins are in the database); a fresh instance then cannot read any text.
    const seeded = await start({ database: dir, prompts: { store: bedrock() } });
    await seeded.close();
    servers.splice(servers.indexOf(seeded), 1);
    agent.emulator.fail("GetPrompt", { type: "ServiceUnavailableException", status: 503, message: "Service unavailable" }, 1_000);
    const cold = await start({ database: dir, logLevel: "silent", configPatch: { ...configPatch, default_system_prompt: "Config text at {{UTC_TIME}}" }, prompts: { store: new BedrockPromptStore({ region: "us-west-2", client: new BedrockAgentClient({ region: "us-west-2", maxAttempts: 1 }) }), ttlMs: 0 } });
    const thread = await newThread(cold);
    const first = await turn(cold, thread);
    expect(first.system).toBe("Config text at 2026-11-25 10:00:00 UTC");
    expect(first.meta.systemPrompt).toEqual({ source: "config" });
    now = new Date("2026-11-25T10:05:00Z");
    const second = await turn(cold, thread);
    expect(second.system).toBe(first.system);
    expect(second.meta.systemPrompt).toEqual({ source: "config" });
    const state = (await cold.api("GET", `/api/threads/${thread}/system-prompt`)).body.systemPrompt;
    expect(state).toMatchObject({ source: "config", text: first.system, frozen: true });
    // A new thread fills the variables at its own first turn.
    expect((await turn(cold, await newThread(cold))).system).toBe("Config text at 2026-11-25 10:05:00 UTC");
    // The store answers again: the thread takes the version in use, resolved now, and keeps it from then on.
    agent.emulator.heal();
    const recovered = await turn(cold, thread);
    expect(recovered.meta.systemPrompt).toMatchObject({ source: "prompt", version: 1 });
    expect(recovered.system).toBe("You are a helpful assistant. Today is 2026-11-25.");
  });
});

describe("Bedrock's errors on the admin page", () => {
  it("throttling, access denied and quota come back in plain words with their status, and nothing changes", async () => {
    const server = await start({ prompts: { store: bedrock() } });
    agent.emulator.fail("UpdatePrompt", { type: "ThrottlingException", status: 429, message: "Too many requests, please wait before trying again." });
    const throttled = await server.api("PUT", "/api/admin/prompt/draft", { name: "fllm-default", text: "new" });
    expect(throttled.status).toBe(429);
    expect(throttled.body.error.code).toBe("prompt_throttled");
    agent.emulator.fail("UpdatePrompt", { type: "AccessDeniedException", status: 403, message: "not authorized to perform: bedrock:UpdatePrompt" });
    const denied = await server.api("PUT", "/api/admin/prompt/draft", { name: "fllm-default", text: "new" });
    expect(denied.status).toBe(502);
    expect(denied.body.error.message).toContain("bedrock:UpdatePrompt");
    agent.emulator.quotas.versions = 1;
    const quota = await server.api("POST", "/api/admin/prompt/versions", { name: "fllm-default", note: "too many" });
    expect(quota.body.error.code).toBe("prompt_quota");
    expect((await server.api("GET", "/api/admin/prompts")).body.prompts[0].inUse).toBe(1);
  });
});

describe("the local store needs no AWS", () => {
  it("npm start's default: seeds, publishes and serves from the database", async () => {
    const server = await start();
    expect((await server.api("GET", "/api/admin/prompts")).body.store).toBe("local");
    expect(agent.emulator.requests).toEqual([]);
    await server.api("POST", "/api/admin/prompt/versions", { name: "fllm-default", text: "Local v2", note: "local" });
    expect((await turn(server, await newThread(server))).system).toBe("Local v2");
  });
});
