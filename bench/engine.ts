/**
 * Engine overhead: a 2,000-token answer streamed in 500 deltas through the engine (runTurn + BedrockProvider)
 * versus a bare SDK ConverseStream loop, same emulator, same run, interleaved. Targets: total time at most
 * 1.05x bare SDK; added time-to-first-token p50 under 1 ms. Run: npm run bench:engine [-- --runs 200]
 */
import { BedrockRuntimeClient, ConverseStreamCommand } from "@aws-sdk/client-bedrock-runtime";
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { BUNDLED_CONFIG_PATH, loadConfig } from "../src/config/load.js";
import { resolveSettings } from "../src/engine/settings.js";
import { runTurn } from "../src/engine/turn.js";
import { BedrockProvider } from "../src/providers/bedrock/provider.js";
import { emulatorEnv } from "../test/helpers/emulator-env.js";
import { fmt, percentile, startEmulatorProcess } from "./emulator-process.js";

const { values } = parseArgs({ options: { runs: { type: "string" }, warmup: { type: "string" } } });
const RUNS = Number(values.runs ?? 200);
const WARMUP = Number(values.warmup ?? 20);
const gc = (globalThis as { gc?: () => void }).gc;

const emulator = await startEmulatorProcess(["--answer-chars", "8000", "--deltas", "500"]);
Object.assign(process.env, emulatorEnv(emulator.url));

const { config } = loadConfig(BUNDLED_CONFIG_PATH);
const profile = config.profiles.find((p) => p.name === "Amazon Nova Pro")!;
const settings = resolveSettings(profile);
const provider = new BedrockProvider();
const bare = new BedrockRuntimeClient({ region: profile.region });
const prompt = "Write a long answer.";

interface Sample {
  ttft: number;
  total: number;
  /** CPU time this process spent on the turn, ms (user + system): our own work, free of scheduling noise. */
  cpu: number;
  heap: number;
  chars: number;
}

const cpuMs = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};

async function viaEngine(): Promise<Sample> {
  const heap0 = process.memoryUsage().heapUsed;
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  let ttft = 0;
  let chars = 0;
  for await (const event of runTurn({ provider, profile, history: [], input: { role: "user", parts: [{ type: "text", text: prompt }] }, settings })) {
    if (event.type === "text") {
      if (chars === 0) ttft = performance.now() - start;
      chars += event.delta.length;
    }
  }
  return { ttft, total: performance.now() - start, cpu: cpuMs(cpu0), heap: process.memoryUsage().heapUsed - heap0, chars };
}

async function viaSdk(): Promise<Sample> {
  const heap0 = process.memoryUsage().heapUsed;
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  let ttft = 0;
  let chars = 0;
  const response = await bare.send(
    new ConverseStreamCommand({
      modelId: profile.modelId,
      messages: [{ role: "user", content: [{ text: prompt }] }],
      system: [{ text: profile.systemPrompt }],
      inferenceConfig: { maxTokens: settings.maxTokens, temperature: settings.temperature },
    }),
  );
  for await (const event of response.stream!) {
    const text = event.contentBlockDelta?.delta?.text;
    if (text) {
      if (chars === 0) ttft = performance.now() - start;
      chars += text.length;
    }
  }
  return { ttft, total: performance.now() - start, cpu: cpuMs(cpu0), heap: process.memoryUsage().heapUsed - heap0, chars };
}

for (let i = 0; i < WARMUP; i++) {
  await viaEngine();
  await viaSdk();
}
// Timing: steady state, as a running server would be (no forced GC between turns); the order alternates
// so neither path always runs second.
const engine: Sample[] = [];
const sdk: Sample[] = [];
for (let i = 0; i < RUNS; i++) {
  if (i % 2 === 0) {
    engine.push(await viaEngine());
    sdk.push(await viaSdk());
  } else {
    sdk.push(await viaSdk());
    engine.push(await viaEngine());
  }
}
// Heap: bytes allocated during one turn, each turn started on a collected heap (needs --expose-gc).
const heapRuns = gc ? 30 : 0;
const engineHeap: number[] = [];
const sdkHeap: number[] = [];
for (let i = 0; i < heapRuns; i++) {
  gc!();
  engineHeap.push((await viaEngine()).heap);
  gc!();
  sdkHeap.push((await viaSdk()).heap);
}
emulator.stop();
bare.destroy();
provider.clients.destroy();

if (engine.some((s) => s.chars !== 8000) || sdk.some((s) => s.chars !== 8000)) throw new Error("a run did not receive the whole answer");
const stats = (samples: Sample[], key: keyof Sample) => {
  const sorted = samples.map((s) => s[key]).sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), mean: sorted.reduce((a, b) => a + b, 0) / sorted.length };
};
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const e = { ttft: stats(engine, "ttft"), total: stats(engine, "total"), cpu: stats(engine, "cpu"), heap: mean(engineHeap) };
const b = { ttft: stats(sdk, "ttft"), total: stats(sdk, "total"), cpu: stats(sdk, "cpu"), heap: mean(sdkHeap) };
const ratio = e.total.p50 / b.total.p50;
const pairRatios = engine.map((s, i) => s.total / sdk[i]!.total).sort((x, y) => x - y);
const addedTtft = e.ttft.p50 - b.ttft.p50;

console.log(`engine benchmark: ${RUNS} runs each (after ${WARMUP} warm-up), 2,000-token answer in 500 deltas, emulator in its own process`);
console.log(`                     p50 ms    p99 ms`);
console.log(`  TTFT   bare SDK  ${fmt(b.ttft.p50).padStart(8)}  ${fmt(b.ttft.p99).padStart(8)}`);
console.log(`  TTFT   engine    ${fmt(e.ttft.p50).padStart(8)}  ${fmt(e.ttft.p99).padStart(8)}`);
console.log(`  total  bare SDK  ${fmt(b.total.p50).padStart(8)}  ${fmt(b.total.p99).padStart(8)}`);
console.log(`  total  engine    ${fmt(e.total.p50).padStart(8)}  ${fmt(e.total.p99).padStart(8)}`);
console.log(
  gc
    ? `  heap allocated per turn (mean of ${heapRuns}): bare SDK ${fmt(b.heap / 1024, 0)} KiB, engine ${fmt(e.heap / 1024, 0)} KiB (+${fmt((e.heap - b.heap) / 1024, 0)} KiB)`
    : "  heap per turn: not measured (run through npm run bench:engine, which passes --expose-gc)",
);
console.log(`  client CPU per turn p50: bare SDK ${fmt(b.cpu.p50)} ms, engine ${fmt(e.cpu.p50)} ms (ratio ${fmt(e.cpu.p50 / b.cpu.p50, 3)})`);
console.log(`  total p50 ratio engine/bare: ${fmt(ratio, 3)}; median of per-pair ratios: ${fmt(percentile(pairRatios, 50), 3)} (target <= 1.05) ${ratio <= 1.05 ? "MET" : "MISSED"}`);
console.log(`  added TTFT p50: ${fmt(addedTtft, 3)} ms (target < 1 ms) ${addedTtft < 1 ? "MET" : "MISSED"}`);
