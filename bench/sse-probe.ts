/**
 * A TTFT probe for bench:sse-load's steady state, in a process of its own: while the load process keeps N streams
 * running, this starts one answer every --interval-ms, times its first token, then stops it (so probes add almost
 * no load). A process that parses thousands of events a second for its N streams cannot time a new request
 * precisely (its own queue adds tens of ms); this one has nothing else to do. Prints one JSON line:
 * {"ttft": [ms, ...], "errors": n, "reasons": {"why": n}}.
 * Run by bench/sse-load.ts: `tsx bench/sse-probe.ts --target server|sdk [--base URL --threads a,b] --warmup-ms W --seconds S`.
 */
import { ConverseStreamCommand } from "@aws-sdk/client-bedrock-runtime";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { createParser } from "eventsource-parser";
import { Agent, fetch as undiciFetch } from "undici";
import { BedrockClients } from "../src/providers/bedrock/client.js";

const { values } = parseArgs({
  options: {
    target: { type: "string" },
    base: { type: "string" },
    threads: { type: "string" },
    "warmup-ms": { type: "string" },
    seconds: { type: "string" },
    "interval-ms": { type: "string" },
    model: { type: "string" },
  },
});
const target = values.target === "sdk" ? "sdk" : "server";
const base = values.base ?? "";
const threads = (values.threads ?? "").split(",").filter(Boolean);
const seconds = Number(values.seconds ?? 10);
const intervalMs = Number(values["interval-ms"] ?? 100);
const modelId = values.model ?? "us.amazon.nova-pro-v1:0";

const agent = new Agent({ keepAliveTimeout: 30_000 });
const http = (path: string, init: Parameters<typeof undiciFetch>[1] = {}) =>
  undiciFetch(base + path, { ...init, headers: { origin: base, "x-requested-with": "fetch", "content-type": "application/json", ...(init.headers as Record<string, string>) }, dispatcher: agent });
// The app's own connections to Bedrock (keep-alive pool), so the bare SDK and the server differ only by the server.
const sdk = new BedrockClients().forRegion("us-west-2");

/** Time to the first text of one answer through the server, which is then stopped. */
async function viaServer(threadId: string): Promise<number> {
  const start = performance.now();
  const posted = await http(`/api/threads/${threadId}/messages`, { method: "POST", body: JSON.stringify({ text: "probe" }) });
  if (posted.status !== 202) throw new Error(`POST ${posted.status}`);
  const { generationId } = (await posted.json()) as { generationId: string };
  const abort = new AbortController();
  const res = await http(`/api/generations/${generationId}/events`, { signal: abort.signal });
  let ttft = NaN;
  const parser = createParser({ onEvent: (m) => void (m.event === "text" && Number.isNaN(ttft) && (ttft = performance.now() - start)) });
  const decoder = new TextDecoder();
  try {
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      parser.feed(decoder.decode(chunk, { stream: true }));
      if (!Number.isNaN(ttft)) break;
    }
  } finally {
    abort.abort();
  }
  // Stopped at once; the probe threads take turns, so a thread's stop has long finished when it is used again.
  await (await http(`/api/generations/${generationId}/stop`, { method: "POST", body: "{}" })).arrayBuffer();
  if (Number.isNaN(ttft)) throw new Error("no text");
  return ttft;
}

/** Time to the first text of one bare SDK ConverseStream, which is then aborted. */
async function viaSdk(): Promise<number> {
  const start = performance.now();
  const abort = new AbortController();
  try {
    const response = await sdk.send(new ConverseStreamCommand({ modelId, messages: [{ role: "user", content: [{ text: "probe" }] }], inferenceConfig: { maxTokens: 2560, temperature: 1 } }), { abortSignal: abort.signal });
    for await (const event of response.stream!) if (event.contentBlockDelta?.delta?.text) return performance.now() - start;
    throw new Error("no text");
  } finally {
    abort.abort();
  }
}

const ttft: number[] = [];
let errors = 0;
const reasons: Record<string, number> = {};
await new Promise((r) => setTimeout(r, Number(values["warmup-ms"] ?? 0)));
const end = performance.now() + seconds * 1000;
for (let i = 0; performance.now() < end; i++) {
  const began = performance.now();
  try {
    ttft.push(target === "sdk" ? await viaSdk() : await viaServer(threads[i % threads.length]!));
  } catch (error) {
    errors++;
    const reason = (error as Error).message.slice(0, 120);
    reasons[reason] = (reasons[reason] ?? 0) + 1;
  }
  await new Promise((r) => setTimeout(r, Math.max(0, intervalMs - (performance.now() - began))));
}
process.stdout.write(`${JSON.stringify({ ttft, errors, reasons })}\n`);
sdk.destroy();
await agent.close();
