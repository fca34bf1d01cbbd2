/**
 * Tool loops through the engine against a real MCP server on 127.0.0.1 (Streamable HTTP) and the Bedrock
 * emulator in its own process: a 5-round loop (one `add` call per round), then one round of 4 `slow` calls of
 * 200 ms each. Model time (each Bedrock call) and tool time (each MCP call, or the round's slowest for parallel
 * calls) are measured on their own; the app's added time per round is what is left of the total.
 * Targets: under 5 ms added per round; 4 parallel calls take the time of the slowest, not the sum.
 * Run: npm run bench:tools [-- --runs 20]
 */
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { BUNDLED_CONFIG_PATH, loadConfig } from "../src/config/load.js";
import type { ModelRequest, Provider } from "../src/engine/provider.js";
import { resolveSettings } from "../src/engine/settings.js";
import type { ToolExecutor } from "../src/engine/tools.js";
import { runTurn } from "../src/engine/turn.js";
import { BedrockProvider } from "../src/providers/bedrock/provider.js";
import { Toolset } from "../src/tools/toolset.js";
import { emulatorEnv } from "../test/helpers/emulator-env.js";
import { startHardHttpServer } from "../test/mcp/hard-server.js";
import { startBedrockEmulator } from "../test/emulator/server.js";
import { fmt, percentile } from "./emulator-process.js";

const { values } = parseArgs({ options: { runs: { type: "string" } } });
const RUNS = Number(values.runs ?? 20);
// In this process (its scripts are queued directly); its time is part of the model time measured apart.
const emulator = await startBedrockEmulator();
Object.assign(process.env, emulatorEnv(emulator.url));
const mcp = await startHardHttpServer();
const toolset = await Toolset.connect([{ name: "bench", transport: "http", url: mcp.url }]);
const profile = loadConfig(BUNDLED_CONFIG_PATH).config.profiles.find((p) => p.name === "Amazon Nova Pro")!;
const settings = resolveSettings(profile, {});
const bedrock = new BedrockProvider();

/** Times each model call. */
let modelMs = 0;
const timedProvider: Provider = {
  async *converse(request: ModelRequest) {
    const started = performance.now();
    try {
      yield* bedrock.converse(request);
    } finally {
      modelMs += performance.now() - started;
    }
  },
};
/** Times each round's tool calls as the wall time from the first call's start to the last call's end. */
let toolMs = 0;
let roundStart: number | undefined;
let inFlight = 0;
const timedTools: ToolExecutor = {
  get specs() {
    return toolset.specs;
  },
  async call(name, input, signal) {
    if (inFlight++ === 0) roundStart = performance.now();
    try {
      return await toolset.call(name, input, signal);
    } finally {
      if (--inFlight === 0) toolMs += performance.now() - roundStart!;
    }
  },
};

/** Scripts `rounds` tool rounds (each with the given calls) and a final answer on the emulator. */
async function script(rounds: { name: string; input: unknown }[][]): Promise<void> {
  emulator.enqueue(...rounds.map((calls, r) => ({ blocks: calls.map((c, i) => ({ toolUse: { id: `t${r}_${i}`, name: c.name, input: c.input } })) })));
}

async function loop(rounds: { name: string; input: unknown }[][]): Promise<{ total: number; model: number; tools: number }> {
  await script(rounds);
  modelMs = 0;
  toolMs = 0;
  const started = performance.now();
  for await (const event of runTurn({ provider: timedProvider, profile, history: [], input: { role: "user", parts: [{ type: "text", text: "go" }] }, settings, tools: timedTools })) {
    if (event.type === "error") throw new Error(event.error.message);
  }
  return { total: performance.now() - started, model: modelMs, tools: toolMs };
}

try {
  const add = toolset.specs.find((s) => s.name.endsWith("__add"))!.name;
  const slow = toolset.specs.find((s) => s.name.endsWith("__slow"))!.name;
  const serial: number[] = [];
  const parallel: { total: number; tools: number }[] = [];
  for (let run = 0; run < RUNS; run++) {
    const five = await loop(Array.from({ length: 5 }, (_, r) => [{ name: add, input: { a: r, b: 1 } }]));
    serial.push((five.total - five.model - five.tools) / 5);
    const four = await loop([Array.from({ length: 4 }, (_, i) => ({ name: slow, input: { ms: 200, label: `p${i}` } }))]);
    parallel.push({ total: four.total - four.model, tools: four.tools });
  }
  const added = [...serial].sort((a, b) => a - b);
  const parallelTools = parallel.map((p) => p.tools).sort((a, b) => a - b);
  console.log(`tools benchmark: ${RUNS} runs, Amazon Nova Pro on the emulator (in this process, timed apart), MCP server on 127.0.0.1 (Streamable HTTP)`);
  console.log(`  5-round loop: app added per round p50 ${fmt(percentile(added, 50))} / p95 ${fmt(percentile(added, 95))} ms (target < 5 ms) ${percentile(added, 50) < 5 ? "MET" : "MISSED"}`);
  console.log(`  4 parallel calls of 200 ms: tool time p50 ${fmt(percentile(parallelTools, 50), 1)} ms (slowest 200, sum 800) ${percentile(parallelTools, 50) < 400 ? "MET" : "MISSED"}`);
} finally {
  await toolset.close();
  await mcp.close();
  await emulator.close();
  bedrock.clients.destroy();
}
