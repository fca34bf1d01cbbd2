/**
 * Perceived speed of Send (issue 12): Debian's Chromium drives the real web app and server; the server talks to the
 * Bedrock emulator, whose first token comes 300 ms (--first-token-ms) after a request reaches it; a loopback proxy
 * between the browser and the server adds a 150 ms round trip (75 ms each way). Times are taken in the page
 * (performance.now), from the click on Send: the question shown in the conversation, the first token's events chunk
 * arriving, the first token shown. The server's side stamps, on the page's clock, when the model call started, when
 * it reached the emulator and when the emulator's first token reached the server. Both paths are timed: a new chat's
 * first message (POST /api/threads with the message) and a follow-up in that thread (POST /api/threads/:id/messages),
 * and the same again without the proxy, for comparison.
 * Targets (judged on p95): question visible under 50 ms after Send; first token visible within one round trip of
 * the emulator's first token. Run: npm run bench:send [-- --runs 10 --first-token-ms 300]
 */
import { chromium, type Page } from "@playwright/test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { build } from "vite";
import type { Provider } from "../src/engine/provider.js";
import { BedrockProvider } from "../src/providers/bedrock/provider.js";
import { ROOT } from "../src/server/web-build.js";
import { startBedrockEmulator } from "../test/emulator/server.js";
import { splitText } from "../test/emulator/script.js";
import { startChatServer } from "../test/helpers/chat-server.js";
import { emulatorEnv } from "../test/helpers/emulator-env.js";
import { startDelayProxy } from "./delay-proxy.js";
import { fmt, percentile } from "./emulator-process.js";

const { values } = parseArgs({ options: { runs: { type: "string" }, "first-token-ms": { type: "string" } } });
const RUNS = Number(values.runs ?? 10);
const RTT = 150;
const MODEL_FIRST_TOKEN_MS = Number(values["first-token-ms"] ?? 300);
const DELTA_MS = 20;
const DELTAS = 12;

/** Epoch ms with sub-ms precision, as the page's performance.timeOrigin + performance.now(). */
const now = () => performance.timeOrigin + performance.now();

const emulator = await startBedrockEmulator();
Object.assign(process.env, emulatorEnv(emulator.url));

/**
 * Stamps of the last model call (epoch ms): the server started it, its request reached the emulator (which records
 * each request as it arrives, before it waits), and its first text delta reached the server.
 */
const model = { startedAt: NaN, arrivedAt: NaN, firstTokenAt: NaN };
const record = emulator.requests.push.bind(emulator.requests);
emulator.requests.push = (...requests) => {
  model.arrivedAt = now();
  return record(...requests);
};
const bedrock = new BedrockProvider();
const provider: Provider = {
  async *converse(request) {
    model.startedAt = now();
    model.firstTokenAt = NaN;
    for await (const event of bedrock.converse(request)) {
      if (event.type === "text" && Number.isNaN(model.firstTokenAt)) model.firstTokenAt = now();
      yield event;
    }
  },
};

// The web app built from the current sources into a directory of its own: another build of web/dist meanwhile (a
// browser test's setup) would swap the files under the page.
const webRoot = mkdtempSync(join(tmpdir(), "bench-send-web-"));
await build({ configFile: join(ROOT, "web", "vite.config.ts"), root: join(ROOT, "web"), logLevel: "warn", build: { outDir: webRoot, emptyOutDir: true } });
// Host and Origin are checked against this list on each request: the server's own address and the proxy's.
const origins: string[] = [];
const server = await startChatServer({ provider, origins, webRoot, limits: { ratePerMinute: 100_000 } });
const serverPort = Number(new URL(server.url).port);
const proxy = await startDelayProxy({ port: serverPort }, RTT / 2);
origins.push(server.url, `http://127.0.0.1:${proxy.port}`);

interface Fetch {
  method: string;
  path: string;
  start: number;
  /** When its response headers arrived. */
  headers: number;
}
/** One Send as the page saw it (epoch ms on the page's clock). */
interface Probe {
  question: string;
  token: string;
  send?: number;
  questionAt?: number;
  /** The answer's events chunk that holds the first token reached the page. */
  tokenArrivedAt?: number;
  tokenAt?: number;
}
type Bench = Window & { __probe?: Probe; __fetches: Fetch[] };

/**
 * Runs in the page before its scripts: logs each fetch (method, path, start, headers) and stamps the events chunk
 * that brings the armed first token, stamps the click on Send (capture phase, before the app's handler), and stamps
 * the first DOM change that shows the armed question in a "You" article and the first token in an "Assistant"
 * article of the conversation.
 */
function installProbe(): void {
  const w = window as unknown as Bench;
  const at = () => performance.timeOrigin + performance.now();
  w.__fetches = [];
  const realFetch = window.fetch.bind(window);
  window.fetch = async function (input: RequestInfo | URL, init?: RequestInit) {
    const url = new URL(input instanceof Request ? input.url : String(input), location.href);
    const entry = { method: init?.method ?? (input instanceof Request ? input.method : "GET"), path: url.pathname + url.search, start: at(), headers: NaN };
    w.__fetches.push(entry);
    const res = await realFetch(input, init);
    entry.headers = at();
    if (!url.pathname.endsWith("/events") || !res.body) return res;
    const decoder = new TextDecoder();
    let received = "";
    const stamp = new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, out) {
        const probe = w.__probe;
        received += decoder.decode(chunk, { stream: true });
        if (probe && probe.tokenArrivedAt === undefined && received.includes(probe.token)) probe.tokenArrivedAt = at();
        out.enqueue(chunk);
      },
    });
    return new Response(res.body.pipeThrough(stamp), { status: res.status, statusText: res.statusText, headers: res.headers });
  };
  addEventListener(
    "click",
    function (e) {
      const probe = w.__probe;
      const button = (e.target as Element).closest("button[type=submit]");
      if (probe && probe.send === undefined && button?.textContent?.trim() === "Send") probe.send = at();
    },
    true,
  );
  new MutationObserver(function () {
    const probe = w.__probe;
    const conversation = document.querySelector('section[aria-label="Conversation"]');
    if (!probe || probe.send === undefined || !conversation) return;
    const shows = (name: string, text: string) => Array.from(conversation.querySelectorAll(`article[aria-label="${name}"]`)).some((a) => a.textContent?.includes(text));
    if (probe.questionAt === undefined && shows("You", probe.question)) probe.questionAt = at();
    if (probe.tokenAt === undefined && shows("Assistant", probe.token)) probe.tokenAt = at();
  }).observe(document, { childList: true, subtree: true, characterData: true });
}

/** Page clock minus this process's clock (ms), from the shortest of a few evaluate round trips. */
async function clockOffset(page: Page): Promise<number> {
  let best = { span: Infinity, offset: 0 };
  for (let i = 0; i < 7; i++) {
    const before = now();
    const inPage = await page.evaluate(() => performance.timeOrigin + performance.now());
    const after = now();
    if (after - before < best.span) best = { span: after - before, offset: inPage - (before + after) / 2 };
  }
  return best.offset;
}

interface Sample {
  question: number;
  tokenArrived: number;
  token: number;
  modelStarted: number;
  modelArrived: number;
  modelFirstToken: number;
  /** The requests the page started between Send and the first token, times after Send. */
  requests: Fetch[];
  connections: number;
}

let answers = 0;
/**
 * Types a question, clicks Send, and waits for the whole answer; times relative to the click. Each answer starts
 * with its own number, so its first delta (what the page waits for) is in no earlier answer. The emulator writes
 * messageStart after firstByteDelayMs and each later event DELTA_MS apart, so the first text delta leaves it
 * MODEL_FIRST_TOKEN_MS after the request arrived.
 */
async function measure(page: Page, question: string, offset: number): Promise<Sample> {
  const answer = `A${++answers}: the first piece of this answer, then the rest of it streams in a dozen pieces until it ends.`;
  emulator.enqueue({ blocks: [{ text: answer }], deltas: DELTAS, firstByteDelayMs: Math.max(0, MODEL_FIRST_TOKEN_MS - DELTA_MS), delayMs: DELTA_MS });
  await page.getByRole("textbox", { name: "Message", exact: true }).fill(question);
  await page.evaluate(([q, token]) => void ((window as unknown as Bench).__probe = { question: q, token }), [question, splitText(answer, DELTAS)[0]!] as const);
  proxy.resetCount();
  await page.getByRole("button", { name: "Send", exact: true }).click();
  await page.waitForFunction(() => (window as unknown as Bench).__probe?.tokenAt !== undefined, undefined, { polling: 50 });
  const connections = proxy.connections;
  const [probe, fetches] = await page.evaluate(() => [(window as unknown as Bench).__probe!, (window as unknown as Bench).__fetches] as const);
  await page.locator('main[data-state="idle"]').waitFor();
  const send = probe.send!;
  return {
    question: probe.questionAt! - send,
    tokenArrived: probe.tokenArrivedAt! - send,
    token: probe.tokenAt! - send,
    modelStarted: model.startedAt + offset - send,
    modelArrived: model.arrivedAt + offset - send,
    modelFirstToken: model.firstTokenAt + offset - send,
    requests: fetches
      .filter((f) => f.start >= send && f.start <= probe.tokenAt!)
      .map((f) => ({ method: f.method, path: f.path.replace(/[0-9a-f]{16,}/g, ":id"), start: f.start - send, headers: f.headers - send })),
    connections,
  };
}

/** RUNS new chats, each followed by one follow-up in its thread, after one pair not counted (warm-up). */
async function runAll(base: string): Promise<{ newChat: Sample[]; followUp: Sample[] }> {
  const browser = await chromium.launch({
    executablePath: process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const page = await browser.newPage();
  // tsx compiles with keepNames: the probe's inner functions call esbuild's __name helper, absent in the page.
  await page.addInitScript({ content: "globalThis.__name = (f) => f;" });
  await page.addInitScript(installProbe);
  const samples = { newChat: [] as Sample[], followUp: [] as Sample[] };
  for (let i = 0; i <= RUNS; i++) {
    await page.goto(base + "/", { waitUntil: "networkidle" });
    const offset = await clockOffset(page);
    const first = await measure(page, `Question ${i} in a new chat`, offset);
    // The thread list refreshes after an answer (its title lands): let that pass, as a person reading would.
    await page.waitForTimeout(1200);
    const next = await measure(page, `Follow-up ${i} in the same thread`, offset);
    if (i > 0) {
      samples.newChat.push(first);
      samples.followUp.push(next);
    }
  }
  await browser.close();
  return samples;
}

const stat = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), max: sorted[sorted.length - 1]! };
};

function report(label: string, rtt: number, samples: Sample[]): void {
  const rows: [string, number[], number, number | null][] = [
    // measure, values, floor, target (p95 at most)
    ["question visible after Send", samples.map((s) => s.question), 0, 50],
    ["server started the model call, after Send", samples.map((s) => s.modelStarted), rtt / 2, null],
    ["its request reached the emulator, after Send", samples.map((s) => s.modelArrived), rtt / 2, null],
    ["emulator's first token reached the server, after Send", samples.map((s) => s.modelFirstToken), rtt / 2 + MODEL_FIRST_TOKEN_MS, null],
    ["first token reached the page, after Send", samples.map((s) => s.tokenArrived), rtt + MODEL_FIRST_TOKEN_MS, null],
    ["first token visible after Send", samples.map((s) => s.token), rtt + MODEL_FIRST_TOKEN_MS, null],
    ["first token visible - emulator's first token at the server", samples.map((s) => s.token - s.modelFirstToken), rtt / 2, rtt || null],
    [`first token visible - (Send + RTT/2 + ${MODEL_FIRST_TOKEN_MS} ms)`, samples.map((s) => s.token - rtt / 2 - MODEL_FIRST_TOKEN_MS), rtt / 2, rtt || null],
  ];
  console.log(`\n${label}, round trip ${rtt} ms (${samples.length} runs; ms)`);
  console.log(["measure".padEnd(60), "p50".padStart(7), "p95".padStart(7), "max".padStart(7), "floor".padStart(7), "target".padStart(8), "  result"].join(""));
  for (const [name, xs, floor, target] of rows) {
    const s = stat(xs);
    const result = target === null ? "" : s.p95 <= target ? "met" : "missed";
    console.log([name.padEnd(60), fmt(s.p50, 0).padStart(7), fmt(s.p95, 0).padStart(7), fmt(s.max, 0).padStart(7), fmt(floor, 0).padStart(7), (target === null ? "" : `<= ${target}`).padStart(8), `  ${result}`].join(""));
  }
  const last = samples[samples.length - 1]!;
  console.log(`  requests between Send and the first token (last run; start -> headers, ms after Send; ${last.connections} new connection(s)):`);
  for (const r of last.requests) console.log(`    ${`${r.method} ${r.path}`.padEnd(56)} ${fmt(r.start, 0).padStart(5)} -> ${Number.isNaN(r.headers) || r.headers > last.token ? "(after the token)" : fmt(r.headers, 0)}`);
}

try {
  console.log(`bench:send: emulator's first token ${MODEL_FIRST_TOKEN_MS} ms after its request; floors: RTT/2 to reach the server, RTT/2 back`);
  for (const [rtt, base] of [[RTT, `http://127.0.0.1:${proxy.port}`], [0, server.url]] as const) {
    const { newChat, followUp } = await runAll(base);
    report("New chat (POST /api/threads with the message)", rtt, newChat);
    report("Follow-up (POST /api/threads/:id/messages)", rtt, followUp);
  }
} finally {
  await proxy.close();
  await server.close();
  bedrock.clients.destroy();
  await emulator.close();
  rmSync(webRoot, { recursive: true, force: true });
}
