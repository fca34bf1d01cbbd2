/**
 * Prompt caching's saving: a scripted 20-turn conversation on Claude Sonnet 4.5 (cache minimum 1,024 tokens) with a
 * 3,000-token system prompt and answers of about 300 tokens, through the real engine and Bedrock provider (so our
 * checkpoint placement is what is measured) against the emulator's prompt cache, with caching on and off, same run.
 * Prints the input-side cost (input, cache reads, cache writes), the total cost and TTFT for both, and the ratio.
 * Target: input-side cost with caching at most 0.25x of without.
 *
 * Token counts are the emulator's stated estimate (characters / 4), prices the bundled config's (Sonnet 4.5's
 * published ones). The emulator runs in its own process and spends no time reading a prompt, so TTFT here is the
 * app's own time to the first token (placement included) plus the emulator's bookkeeping, not Bedrock's: what a
 * cache saves there scales with the tokens the model still has to read, printed beside it, and the placement's own
 * cost is timed apart (building the last turn's request with and without its checkpoints).
 * Run: npm run bench:cost [-- --turns 20 --repeat 3]
 */
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { BUNDLED_CONFIG_PATH, loadConfig } from "../src/config/load.js";
import { formatCost, sumAmounts, type Cost } from "../src/engine/cost.js";
import { resolveSettings } from "../src/engine/settings.js";
import { runTurn, type TurnResult } from "../src/engine/turn.js";
import { addUsage, ZERO_USAGE, type Message, type Usage } from "../src/engine/types.js";
import type { ModelRequest, Provider } from "../src/engine/provider.js";
import { BedrockProvider } from "../src/providers/bedrock/provider.js";
import { toConverseInput } from "../src/providers/bedrock/request.js";
import { emulatorEnv } from "../test/helpers/emulator-env.js";
import { fmt, percentile, startEmulatorProcess } from "./emulator-process.js";

const { values } = parseArgs({ options: { turns: { type: "string" }, repeat: { type: "string" } } });
const TURNS = Number(values.turns ?? 20);
const REPEAT = Number(values.repeat ?? 3);
const TARGET = 0.25;

// Every answer about 300 tokens (1,200 characters in 30 deltas), from an emulator in its own process.
const ANSWER_CHARS = 1200;
const emulator = await startEmulatorProcess(["--answer-chars", String(ANSWER_CHARS), "--deltas", "30"]);
Object.assign(process.env, emulatorEnv(emulator.url));
const { config } = loadConfig(BUNDLED_CONFIG_PATH);
const profile = config.profiles.find((p) => p.name === "Claude Sonnet 4.5")!;
const provider = new BedrockProvider();
/** The engine's last request with caching on, to time the placement alone at the end. */
let lastCached: ModelRequest | undefined;
const recording: Provider = {
  converse(request) {
    if (request.cache) lastCached = request;
    return provider.converse(request);
  },
};

/** Deterministic prose of about `tokens` tokens (4 characters each), different per seed. */
function prose(tokens: number, seed: number): string {
  const words = ["cache", "prefix", "token", "model", "answer", "question", "history", "price", "turn", "system", "window", "reads"];
  let out = "";
  for (let i = 0; out.length < tokens * 4; i++) out += `${words[(i * 7 + seed * 5) % words.length]}${i % 11 === 10 ? ". " : " "}`;
  return out.slice(0, tokens * 4);
}
/**
 * 3,000 tokens: 12,000 characters (its JSON adds 11: 3,003 tokens in the emulator's estimate). Each conversation
 * starts it with its own number, the same length, so no run reads what another wrote (the emulator's cache lives on).
 */
const system = (run: number) => `Run ${String(run).padStart(3, "0")}. ${prose(3000, 0)}`.slice(0, 12_000);
const question = (turn: number) => `Question ${turn + 1}: ${prose(40, turn + 1)}?`;
let runNumber = 0;

interface Run {
  usage: Usage;
  costs: Cost[];
  ttft: number[];
  /** Per turn: input tokens the model read that were not read from the cache (written or plain). */
  unread: number[];
}

async function conversation(caching: boolean): Promise<Run> {
  const settings = resolveSettings(profile, { thinking: false, system: system(runNumber++), promptCaching: caching, maxTokens: 1024 });
  const history: Message[] = [];
  const run: Run = { usage: ZERO_USAGE, costs: [], ttft: [], unread: [] };
  for (let turn = 0; turn < TURNS; turn++) {
    const input: Message = { role: "user", parts: [{ type: "text", text: question(turn) }] };
    const start = performance.now();
    let first: number | undefined;
    let result: TurnResult | undefined;
    for await (const event of runTurn({ provider: recording, profile, history, input, settings })) {
      if (event.type === "text") first ??= performance.now() - start;
      if (event.type === "done") result = event.result;
    }
    if (!result || result.status !== "complete") throw new Error(`turn ${turn + 1} failed: ${result?.error?.message ?? "no result"}`);
    history.push(input, ...result.messages);
    run.usage = addUsage(run.usage, result.usage);
    run.costs.push(result.cost!);
    run.ttft.push(first ?? NaN);
    run.unread.push(result.usage.inputTokens + result.usage.cacheWriteInputTokens);
  }
  return run;
}

// Alternate the two, REPEAT times each: costs are the same every time (deterministic), TTFT is pooled.
const runs: Record<"on" | "off", Run[]> = { on: [], off: [] };
await conversation(true); // warm-up: connections, JIT
for (let i = 0; i < REPEAT; i++) {
  runs.on.push(await conversation(true));
  runs.off.push(await conversation(false));
}
emulator.stop();
provider.clients.destroy();

/** Microseconds to build the last turn's Converse input, with and without its checkpoints (the placement's own cost). */
function buildMicros(request: ModelRequest): number {
  const n = 2000;
  for (let i = 0; i < 200; i++) toConverseInput(request);
  const start = performance.now();
  for (let i = 0; i < n; i++) toConverseInput(request);
  return ((performance.now() - start) / n) * 1000;
}
const { cache: _cache, ...uncachedRequest } = lastCached!;
const placement = { on: buildMicros(lastCached!), off: buildMicros(uncachedRequest) };

const sum = (costs: Cost[], key: keyof Cost) => sumAmounts(costs.map((c) => c[key])).total;
const inputSide = (costs: Cost[]) => sumAmounts([sum(costs, "input"), sum(costs, "cacheRead"), sum(costs, "cacheWrite")]).total;
const ttft = (list: Run[]) => list.flatMap((r) => r.ttft).sort((a, b) => a - b);
const [on, off] = [runs.on[0]!, runs.off[0]!];
const money = (amount: string) => `$${formatCost(amount, 6)}`;
const rows: [string, string, string][] = [
  ["input tokens (neither read nor written)", on.usage.inputTokens.toLocaleString("en-US"), off.usage.inputTokens.toLocaleString("en-US")],
  ["cache read tokens", on.usage.cacheReadInputTokens.toLocaleString("en-US"), off.usage.cacheReadInputTokens.toLocaleString("en-US")],
  ["cache write tokens", on.usage.cacheWriteInputTokens.toLocaleString("en-US"), off.usage.cacheWriteInputTokens.toLocaleString("en-US")],
  ["output tokens", on.usage.outputTokens.toLocaleString("en-US"), off.usage.outputTokens.toLocaleString("en-US")],
  ["input cost", money(sum(on.costs, "input")), money(sum(off.costs, "input"))],
  ["cache read cost", money(sum(on.costs, "cacheRead")), money(sum(off.costs, "cacheRead"))],
  ["cache write cost", money(sum(on.costs, "cacheWrite")), money(sum(off.costs, "cacheWrite"))],
  ["input-side cost", money(inputSide(on.costs)), money(inputSide(off.costs))],
  ["output cost", money(sum(on.costs, "output")), money(sum(off.costs, "output"))],
  ["total cost", money(sum(on.costs, "total")), money(sum(off.costs, "total"))],
  ["TTFT p50 / p95, ms (no prompt-reading time)", `${fmt(percentile(ttft(runs.on), 50))} / ${fmt(percentile(ttft(runs.on), 95))}`, `${fmt(percentile(ttft(runs.off), 50))} / ${fmt(percentile(ttft(runs.off), 95))}`],
  ["prompt tokens not read from cache, last turn", on.unread.at(-1)!.toLocaleString("en-US"), off.unread.at(-1)!.toLocaleString("en-US")],
  ["building the last turn's request, us", fmt(placement.on, 1), fmt(placement.off, 1)],
];
const width = Math.max(...rows.map((r) => r[0].length));
const col = Math.max(16, ...rows.flatMap((r) => [r[1].length, r[2].length])) + 2;
console.log(`bench:cost: ${TURNS} turns on ${profile.name} (${profile.modelId}), system prompt ${Math.ceil((system(0).length + 11) / 4).toLocaleString("en-US")} tokens, answers ${Math.ceil(ANSWER_CHARS / 4)} tokens; emulator estimate characters / 4; ${REPEAT} runs each (TTFT pooled)`);
console.log(`${"".padEnd(width)}  ${"with caching".padStart(col)}${"without".padStart(col)}`);
for (const [label, a, b] of rows) console.log(`${label.padEnd(width)}  ${a.padStart(col)}${b.padStart(col)}`);
const ratio = Number(inputSide(on.costs)) / Number(inputSide(off.costs));
const totalRatio = Number(sum(on.costs, "total")) / Number(sum(off.costs, "total"));
const same = runs.on.every((r) => sum(r.costs, "total") === sum(on.costs, "total")) && runs.off.every((r) => sum(r.costs, "total") === sum(off.costs, "total"));
console.log(`input-side cost with / without caching: ${fmt(ratio, 3)}x (target <= ${TARGET}x: ${ratio <= TARGET ? "met" : "MISSED"}); total cost: ${fmt(totalRatio, 3)}x${same ? "" : " (costs differed between runs!)"}`);
