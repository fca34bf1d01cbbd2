import { Decimal } from "decimal.js";
import { describe, expect, it } from "vitest";
import { BUNDLED_CONFIG_PATH, loadConfig } from "../src/config/load.js";
import type { ModelProfile } from "../src/config/resolve.js";
import { resolveSettings, type SettingsInput } from "../src/engine/settings.js";
import type { ToolExecutor } from "../src/engine/tools.js";
import { runTurn, type TurnResult } from "../src/engine/turn.js";
import type { Message, Part, Usage } from "../src/engine/types.js";
import { BedrockProvider } from "../src/providers/bedrock/provider.js";
import { useBedrockEmulator } from "./helpers/bedrock-env.js";
import { cachePointCount } from "./helpers/cache-points.js";
import { profileFrom } from "./helpers/profiles.js";

/**
 * Prompt caching end to end: the real engine and Bedrock provider (the real SDK) against the emulator's prompt cache,
 * which keys prefixes by their exact content and refuses what Bedrock refuses. What each turn reads is what the one
 * before it wrote, so the placement (src/providers/bedrock/cache-points.ts) is measured, not assumed.
 */
const env = useBedrockEmulator();
const { config } = loadConfig(BUNDLED_CONFIG_PATH);
const profile = (name: string): ModelProfile => config.profiles.find((p) => p.name === name)!;
const provider = new BedrockProvider();
const SONNET = profile("Claude Sonnet 4.5");
const CLAUDE_37 = profile("Claude 3.7 Sonnet");
const NOVA = profile("Amazon Nova Pro");
/** About 1,100 tokens (the emulator's estimate: characters / 4): over the 1,024-token minimum of these models. */
const LONG_SYSTEM = `You answer questions. ${"Be exact and kind in every answer. ".repeat(125)}`;

const text = (t: string): Part => ({ type: "text", text: t });
const txtDocument = (data: string): Part => ({ type: "document", format: "txt", name: "notes", source: { type: "bytes", data: Buffer.from(data).toString("base64") } });

interface Turn {
  result: TurnResult;
  /** The request bodies of this turn, in order (one per model call). */
  bodies: Record<string, any>[];
}

async function turn(p: ModelProfile, history: Message[], parts: Part[] | string, options: { settings?: SettingsInput; tools?: ToolExecutor } = {}): Promise<Turn> {
  const before = env.emulator.requests.length;
  const input: Message = { role: "user", parts: typeof parts === "string" ? [text(parts)] : parts };
  let result: TurnResult | undefined;
  for await (const event of runTurn({
    provider,
    profile: p,
    history,
    input,
    settings: resolveSettings(p, { system: LONG_SYSTEM, ...options.settings }),
    ...(options.tools ? { tools: options.tools } : {}),
  })) {
    if (event.type === "done") result = event.result;
  }
  history.push(input, ...result!.messages);
  const requests = env.emulator.requests.slice(before);
  // Every request was accepted: the emulator refuses misplaced checkpoints as Bedrock does.
  expect(requests.map((r) => r.status)).toEqual(requests.map(() => 200));
  expect(result!.error).toBeUndefined();
  return { result: result!, bodies: requests.map((r) => r.body as Record<string, any>) };
}

/** The whole input of a call: what it read, wrote and neither. */
const prompt = (u: Usage) => u.inputTokens + u.cacheReadInputTokens + u.cacheWriteInputTokens;

const calculator: ToolExecutor = {
  specs: [{ name: "add", description: "Adds two numbers", inputSchema: { type: "object", properties: { a: { type: "number" }, b: { type: "number" } }, required: ["a", "b"] } }],
  async call(_name, input) {
    const { a, b } = input as { a: number; b: number };
    return { status: "success", content: [{ type: "text", text: String(a + b) }] };
  },
};

describe("prompt caching through the engine: each turn reads what the one before wrote", () => {
  it("Claude Sonnet 4.5 over three turns: turn 1 writes everything, later turns read the whole previous prompt", async () => {
    const history: Message[] = [];
    const one = await turn(SONNET, history, "What is a prime number?");
    expect(one.result.usage).toMatchObject({ inputTokens: 0, cacheReadInputTokens: 0 });
    expect(one.result.usage.cacheWriteInputTokens).toBe(prompt(one.result.usage));
    const two = await turn(SONNET, history, "And a composite one?");
    const three = await turn(SONNET, history, "Thanks");
    for (const [previous, current] of [[one, two], [two, three]] as const) {
      // It reads exactly the previous request's prompt, and writes only what was added since (the answer and the question).
      expect(current.result.usage.cacheReadInputTokens).toBe(prompt(previous.result.usage));
      expect(current.result.usage.inputTokens).toBe(0);
      expect(current.result.usage.cacheWriteInputTokens).toBe(prompt(current.result.usage) - prompt(previous.result.usage));
    }
    expect([one, two, three].map((t) => cachePointCount(t.bodies[0]!))).toEqual([2, 3, 3]);
  });

  it("costs the turn exactly: reads at the read price, writes at the write price, the rest at the input price", async () => {
    const history: Message[] = [];
    await turn(SONNET, history, "first");
    const { result } = await turn(SONNET, history, "second");
    const { cacheReadInputTokens: read, cacheWriteInputTokens: written, outputTokens: out } = result.usage;
    const per1k = (tokens: number, price: string) => new Decimal(tokens).div(1000).mul(price);
    expect(result.cost).toEqual({
      input: "0",
      cacheRead: per1k(read, "0.0003").toFixed(),
      cacheWrite: per1k(written, "0.00375").toFixed(),
      output: per1k(out, "0.015").toFixed(),
      total: per1k(read, "0.0003").plus(per1k(written, "0.00375")).plus(per1k(out, "0.015")).toFixed(),
    });
  });

  it("Nova, which looks for a cached prefix only at checkpoints: turn 2 reads turn 1 through the checkpoint on the previous question", async () => {
    const history: Message[] = [];
    const one = await turn(NOVA, history, "What is a prime number?");
    const two = await turn(NOVA, history, "And a composite one?");
    expect(two.result.usage.cacheReadInputTokens).toBe(prompt(one.result.usage));
    expect(two.bodies[0]!["messages"][0].content.at(-1)).toEqual({ cachePoint: { type: "default" } });
  });

  it("Nova with tools: no checkpoint in the tool list (Nova refuses one there), the system prompt's covers the tools", async () => {
    env.emulator.enqueue({ blocks: [{ toolUse: { id: "t1", name: "add", input: { a: 1, b: 2 } } }] });
    const history: Message[] = [];
    const { bodies } = await turn(NOVA, history, "add 1 and 2", { tools: calculator });
    for (const body of bodies) {
      expect(body["toolConfig"].tools.every((t: object) => !("cachePoint" in t))).toBe(true);
      expect(body["system"].at(-1)).toEqual({ cachePoint: { type: "default" } });
    }
  });

  it("tool rounds inside a turn keep reading: each call reads the call before it, and the next turn reads the last call", async () => {
    env.emulator.enqueue(
      { blocks: [{ toolUse: { id: "t1", name: "add", input: { a: 2, b: 3 } } }] },
      { blocks: [{ toolUse: { id: "t2", name: "add", input: { a: 5, b: 5 } } }] },
    );
    const history: Message[] = [];
    const first = await turn(SONNET, history, "add 2 and 3, then add 5 to the result", { tools: calculator, settings: { thinking: false } });
    expect(first.bodies).toHaveLength(3);
    const [c1, c2, c3] = first.result.calls;
    expect(c1!.cacheReadInputTokens).toBe(0);
    expect(c2!.cacheReadInputTokens).toBe(prompt(c1!));
    expect(c3!.cacheReadInputTokens).toBe(prompt(c2!));
    // The tool results message is the newest user message of a tool round; its checkpoint sits after the toolResult block.
    const lastMessage = first.bodies[2]!["messages"].at(-1);
    expect(lastMessage.content.map((b: object) => Object.keys(b)[0])).toEqual(["toolResult", "cachePoint"]);
    expect(JSON.stringify(lastMessage.content[0].toolResult)).not.toContain("cachePoint");
    const next = await turn(SONNET, history, "thanks", { tools: calculator, settings: { thinking: false } });
    expect(next.result.usage.cacheReadInputTokens).toBe(prompt(c3!));
    // Tools and system as the prefix, the previous turn's last tool results, the new question: four, the most allowed.
    expect(cachePointCount(next.bodies[0]!)).toBe(4);
    expect(next.bodies[0]!["toolConfig"].tools.at(-1)).toEqual({ cachePoint: { type: "default" } });
  });

  it("a history with signed reasoning (and interleaved thinking in a tool round) is never refused, and still reads", async () => {
    const claude = profileFrom({ id: "us.anthropic.claude-sonnet-4-5-20250929-v1:0", maxTokens: 64000, tool: true, prompt_caching: true, reasoning: { enabled: true, interleaved_thinking: true } });
    env.emulator.enqueue({ blocks: [{ reasoning: "I need the tool" }, { toolUse: { id: "r1", name: "add", input: { a: 1, b: 1 } } }] }, { blocks: [{ reasoning: "now answer" }, { text: "2" }] });
    const history: Message[] = [];
    const one = await turn(claude, history, "1+1 with the tool", { tools: calculator, settings: { interleaved: true } });
    expect(one.bodies).toHaveLength(2);
    // The assistant messages end with reasoning-then-tool-use: no checkpoint goes into them.
    expect(one.bodies[1]!["messages"][1].content.map((b: object) => Object.keys(b)[0])).toEqual(["reasoningContent", "toolUse"]);
    const two = await turn(claude, history, "and 2+2?", { tools: calculator });
    const three = await turn(claude, history, "thanks", { tools: calculator });
    expect(two.result.usage.cacheReadInputTokens).toBe(prompt(one.result.calls.at(-1)!));
    expect(three.result.usage.cacheReadInputTokens).toBe(prompt(two.result.usage));
    // Claude 3.7 Sonnet, thinking by default: three turns with replayed signed reasoning.
    const h37: Message[] = [];
    await turn(CLAUDE_37, h37, "q1");
    const r2 = await turn(CLAUDE_37, h37, "q2");
    expect(r2.bodies[0]!["messages"][1].content[0]).toHaveProperty("reasoningContent");
    expect(r2.result.usage.cacheReadInputTokens).toBeGreaterThan(1024);
  });

  it("a history with text documents (never followed directly by a checkpoint) is never refused, and still reads", async () => {
    const history: Message[] = [];
    const one = await turn(SONNET, history, [text("Summarize these notes"), txtDocument("a".repeat(300))]);
    // The checkpoint goes between the words and the text file.
    expect(one.bodies[0]!["messages"][0].content.map((b: object) => Object.keys(b)[0])).toEqual(["text", "cachePoint", "document"]);
    // A message of a text file only: Bedrock wants words beside it, and a checkpoint before the file.
    const two = await turn(SONNET, history, [txtDocument("b".repeat(300))]);
    const three = await turn(SONNET, history, "thanks");
    // Turn 1's checkpoint closed before its file: turn 2 reads up to there.
    expect(two.result.usage.cacheReadInputTokens).toBeGreaterThan(1024);
    expect(two.result.usage.cacheReadInputTokens).toBeLessThan(prompt(one.result.usage));
    expect(three.result.usage.cacheReadInputTokens).toBeGreaterThan(two.result.usage.cacheReadInputTokens);
  });

  it("a 1-hour profile writes 1-hour entries, billed at the 1-hour price", async () => {
    const oneHour = profileFrom({
      id: "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
      prompt_caching: { ttl: "1h" },
      cost: { input_1k_price: 0.003, output_1k_price: 0.015, cache_read_1k_price: 0.0003, cache_write_1k_price: 0.00375, cache_write_1h_1k_price: 0.006 },
    });
    const history: Message[] = [];
    const { result, bodies } = await turn(oneHour, history, "hello");
    expect(bodies[0]!["system"].at(-1)).toEqual({ cachePoint: { type: "default", ttl: "1h" } });
    expect(result.usage.cacheWrite1hInputTokens).toBe(result.usage.cacheWriteInputTokens);
    expect(result.cost!.cacheWrite).toBe(new Decimal(result.usage.cacheWriteInputTokens).div(1000).mul("0.006").toFixed());
    // Still there 30 minutes later (a 5-minute entry would be gone).
    env.emulator.advanceClock(30 * 60_000);
    const later = await turn(oneHour, history, "still there?");
    expect(later.result.usage.cacheReadInputTokens).toBe(prompt(result.usage));
  });

  it("caching off for the thread, or a profile without caching: no checkpoint is sent, nothing is cached", async () => {
    const history: Message[] = [];
    const off = await turn(SONNET, history, "hello", { settings: { promptCaching: false } });
    await turn(SONNET, history, "again", { settings: { promptCaching: false } });
    expect(env.emulator.requests.map((r) => cachePointCount(r.body))).toEqual([0, 0]);
    expect(off.result.usage).toMatchObject({ cacheReadInputTokens: 0, cacheWriteInputTokens: 0 });
    expect(env.emulator.cache.entries()).toEqual([]);
    // A checkpoint for Llama would fail the whole call (AccessDeniedException): none is sent.
    const llama = await turn(profile("Meta Llama 4 Scout"), [], "hello");
    expect(cachePointCount(llama.bodies[0]!)).toBe(0);
  });

  it("a long conversation with tools never sends more than four checkpoints, and every turn reads the one before", async () => {
    const history: Message[] = [];
    let previous: Usage | undefined;
    for (let i = 0; i < 8; i++) {
      if (i % 3 === 1) env.emulator.enqueue({ blocks: [{ toolUse: { id: `t${i}`, name: "add", input: { a: i, b: 1 } } }] });
      const t = await turn(SONNET, history, `question ${i}`, { tools: calculator, settings: { thinking: false } });
      for (const body of t.bodies) expect(cachePointCount(body)).toBeLessThanOrEqual(4);
      if (previous) expect(t.result.calls[0]!.cacheReadInputTokens).toBe(prompt(previous));
      previous = t.result.calls.at(-1)!;
    }
  });
});
