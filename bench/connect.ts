/**
 * Connections to Bedrock: 20 sequential streamed answers over TLS through a loopback proxy that adds 25 ms each way
 * (bench/delay-proxy.ts), with the runtime client's default handler (HTTP/2, an isolated session per event stream)
 * and with ours (src/providers/bedrock/connections.ts: HTTP/1.1 keep-alive pool), side by side in one run.
 * The floor is the request's own cost: one round trip from sending the request to its first byte, plus the
 * emulator's own time to first token (measured on a warm direct connection). A new connection adds a TCP and a TLS
 * handshake, about two round trips more. Targets: after the first answer no new connection, and TTFT p50 within
 * one round trip of the floor. Run: npm run bench:connect [-- --answers 20 --delay-ms 25]
 */
import { BedrockRuntimeClient, ConverseStreamCommand } from "@aws-sdk/client-bedrock-runtime";
import { NodeHttp2Handler } from "@smithy/node-http-handler";
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { BedrockClients } from "../src/providers/bedrock/client.js";
import { emulatorEnv } from "../test/helpers/emulator-env.js";
import { startDelayProxy } from "./delay-proxy.js";
import { fmt, percentile, startEmulatorProcess } from "./emulator-process.js";

const { values } = parseArgs({ options: { answers: { type: "string" }, "delay-ms": { type: "string" } } });
const ANSWERS = Number(values.answers ?? 20);
const DELAY_MS = Number(values["delay-ms"] ?? 25);
const ROUND_TRIP = 2 * DELAY_MS;
const MODEL_ID = "us.amazon.nova-pro-v1:0";

const emulator = await startEmulatorProcess(["--tls", "--answer-chars", "200", "--deltas", "10", "--delay-ms", "0"]);
const ca = readFileSync(emulator.caFile!, "utf8");
const emulatorPort = Number(new URL(emulator.url).port);
const proxy = await startDelayProxy({ port: emulatorPort }, DELAY_MS);

/** Time from send() to the first text delta of one streamed answer. */
async function ttft(client: BedrockRuntimeClient, i: number): Promise<number> {
  const start = performance.now();
  let first = NaN;
  const response = await client.send(new ConverseStreamCommand({ modelId: MODEL_ID, messages: [{ role: "user", content: [{ text: `question ${i}` }] }] }));
  for await (const event of response.stream!) if (event.contentBlockDelta?.delta?.text && Number.isNaN(first)) first = performance.now() - start;
  return first;
}

interface Run {
  ttfts: number[];
  /** Connections the proxy accepted during each answer. */
  opened: number[];
}

async function sequential(client: BedrockRuntimeClient): Promise<Run> {
  const run: Run = { ttfts: [], opened: [] };
  for (let i = 0; i < ANSWERS; i++) {
    const before = proxy.connections;
    run.ttfts.push(await ttft(client, i));
    run.opened.push(proxy.connections - before);
  }
  return run;
}

const handlers: [string, () => BedrockRuntimeClient][] = [
  // The runtime client's default: NodeHttp2Handler with disableConcurrentStreams, here only told to trust the emulator.
  ["SDK default (HTTP/2)", () => new BedrockRuntimeClient({ region: "us-west-2", requestHandler: new NodeHttp2Handler({ disableConcurrentStreams: true, nodeHttp2ConnectOptions: { ca } }) })],
  ["ours (HTTP/1.1 keep-alive)", () => new BedrockClients({}, { ca }).forRegion("us-west-2")],
];

// The emulator's own time to first token, on a warm connection without the proxy: the floor less the round trip.
Object.assign(process.env, emulatorEnv(emulator.url));
const direct = new BedrockClients({}, { ca }).forRegion("us-west-2");
await ttft(direct, -1);
const own = [];
for (let i = 0; i < ANSWERS; i++) own.push(await ttft(direct, i));
direct.destroy();
const emulatorOwn = percentile(own.sort((a, b) => a - b), 50);
const floor = ROUND_TRIP + emulatorOwn;

Object.assign(process.env, emulatorEnv(`https://127.0.0.1:${proxy.port}`));
const results: [string, Run][] = [];
for (const [name, make] of handlers) {
  const client = make();
  results.push([name, await sequential(client)]);
  client.destroy();
}

console.log(`bench:connect: ${ANSWERS} sequential streamed answers over TLS through a proxy adding ${DELAY_MS} ms each way (1 round trip = ${ROUND_TRIP} ms)`);
console.log("  (the proxy relays bytes: a new connection's TLS handshake pays the delay, its TCP handshake does not; on a real network add one round trip per new connection)");
console.log(`  floor: request -> first byte = 1 round trip (${ROUND_TRIP} ms) + the emulator's own time to first token (${fmt(emulatorOwn)} ms, p50 on a warm direct connection) = ${fmt(floor)} ms`);
console.log(`  ${["handler".padEnd(27), "TTFT p50 ms", "p50 - floor".padStart(17), "first answer ms", "answers 2.. p50 ms", "connections opened (1st answer, answers 2..)"].join(" | ")}`);
for (const [name, run] of results) {
  const sorted = [...run.ttfts].sort((a, b) => a - b);
  const later = run.ttfts.slice(1).sort((a, b) => a - b);
  const row = [
    name.padEnd(27),
    fmt(percentile(sorted, 50)).padStart(11),
    `${fmt(percentile(sorted, 50) - floor)} (${fmt((percentile(sorted, 50) - floor) / ROUND_TRIP, 1)} RTT)`.padStart(17),
    fmt(run.ttfts[0]!).padStart(15),
    fmt(percentile(later, 50)).padStart(18),
    `${run.opened[0]}, ${run.opened.slice(1).reduce((a, b) => a + b, 0)}`,
  ];
  console.log(`  ${row.join(" | ")}`);
}
const ours = results.find(([name]) => name.startsWith("ours"))![1];
const oursP50 = percentile([...ours.ttfts].sort((a, b) => a - b), 50);
const newAfterFirst = ours.opened.slice(1).reduce((a, b) => a + b, 0);
console.log(`  targets (ours): no new connection after the first answer: ${newAfterFirst === 0 ? "met" : `MISSED (${newAfterFirst} opened)`}; TTFT p50 <= floor + 1 round trip (${fmt(floor + ROUND_TRIP)} ms): ${oursP50 <= floor + ROUND_TRIP ? "met" : "MISSED"} (${fmt(oursP50)} ms)`);

await proxy.close();
emulator.stop();
