/**
 * Files through the running server: upload a 4 MB PDF and a large photo (re-encoded to fit Bedrock's 3.75 MB),
 * send both, then continue the thread to 30 turns, which carries both files every turn (the history).
 * Reports upload time, server time per turn, the server's peak RSS added, the bytes the database grows by per turn
 * (measured on a checkpointed copy of the SQLite file, so WAL noise does not count), and the size of
 * GET /api/threads/:id against the text it holds.
 * Targets: peak RSS added under 3x the largest file; after the first turn the database does not grow with the
 * files' size; opening the thread under 20 KB plus its text.
 * Run: npm run bench:attachments [-- --turns 30]
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import SQLite from "better-sqlite3";
import { emulatorEnv } from "../test/helpers/emulator-env.js";
import * as files from "../test/fixtures/files.js";
import { fmt, percentile, startEmulatorProcess } from "./emulator-process.js";

const { values } = parseArgs({ options: { turns: { type: "string" } } });
const TURNS = Number(values.turns ?? 30);
const ROOT = join(import.meta.dirname, "..");
const emulator = await startEmulatorProcess(["--answer-chars", "400", "--deltas", "10", "--delay-ms", "0"]);
const awsEnv = emulatorEnv(emulator.url);
const dataDir = mkdtempSync(join(tmpdir(), "bench-attachments-"));
const port = 19000 + Math.floor(Math.random() * 1000);
const server = spawn(process.execPath, ["--import", "tsx", join(ROOT, "src", "server", "main.ts")], {
  env: { ...process.env, ...awsEnv, PORT: String(port), HOST: "127.0.0.1", DATA_DIR: dataDir, TITLE_GENERATION: "off", LOG_LEVEL: "error", RATE_LIMIT_PER_MINUTE: "1000000", ATTACHMENT_MAX_MB: "40", MALLOC_ARENA_MAX: process.env["MALLOC_ARENA_MAX"] ?? "2" },
  stdio: ["ignore", "inherit", "inherit"],
});
const base = `http://127.0.0.1:${port}`;
const headers = { origin: base, "x-requested-with": "fetch" };
for (let i = 0; ; i++) {
  try {
    if ((await fetch(`${base}/healthz`)).ok) break;
  } catch {
    if (i > 300) throw new Error("server did not start");
  }
  await new Promise((r) => setTimeout(r, 100));
}

const rssOf = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.pid}/status`, "utf8"))?.[1] ?? 0) * 1024;
let peakRss = 0;
const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, rssOf())), 20);
await new Promise((r) => setTimeout(r, 500));
const baselineRss = rssOf();
peakRss = baselineRss;

/** The database's size with its WAL folded in, from a copy (the server keeps writing to the original). */
function databaseBytes(): number {
  const copy = join(dataDir, "measure.sqlite");
  const source = new SQLite(join(dataDir, "chat.sqlite"), { readonly: true });
  source.exec(`VACUUM INTO '${copy.replaceAll("'", "''")}'`);
  source.close();
  const db = new SQLite(copy, { readonly: true });
  const bytes = (db.pragma("page_count", { simple: true }) as number) * (db.pragma("page_size", { simple: true }) as number);
  db.close();
  rmSync(copy);
  return bytes;
}

async function upload(name: string, bytes: Uint8Array): Promise<{ id: string; size: number; notice: string | null; ms: number }> {
  const form = new FormData();
  form.append("file", new Blob([new Uint8Array(bytes)]), name);
  const started = performance.now();
  const res = await fetch(`${base}/api/attachments`, { method: "POST", body: form, headers });
  const body = (await res.json()) as { attachment?: { id: string; size: number; notice: string | null }; error?: { message: string } };
  if (!body.attachment) throw new Error(`upload of ${name} failed: ${res.status} ${body.error?.message}`);
  return { ...body.attachment, ms: performance.now() - started };
}

async function turn(threadId: string, text: string, attachments: string[]): Promise<number> {
  const started = performance.now();
  const res = await fetch(`${base}/api/threads/${threadId}/messages`, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: JSON.stringify({ text, attachments }) });
  const posted = (await res.json()) as { generationId?: string; error?: { message: string } };
  if (!posted.generationId) throw new Error(`turn failed: ${posted.error?.message}`);
  const events = await fetch(`${base}/api/generations/${posted.generationId}/events`);
  const body = await events.text();
  if (!body.includes("event: done")) throw new Error("the answer did not finish");
  return performance.now() - started;
}

try {
  const pdfBytes = files.pdf("A long quarterly report", 4_000_000);
  const photoBytes = await files.largePhoto();
  const pdf = await upload("report.pdf", pdfBytes);
  const photo = await upload("photo.jpg", photoBytes);
  const afterUploadRss = peakRss;
  const thread = ((await (await fetch(`${base}/api/threads`, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: JSON.stringify({ profile: "Amazon Nova Pro" }) })).json()) as { thread: { id: string } }).thread.id;

  const times: number[] = [];
  const growth: number[] = [];
  let before = databaseBytes();
  for (let i = 0; i < TURNS; i++) {
    times.push(await turn(thread, `Turn ${i + 1}: what else do the report and the photo say?`, i === 0 ? [pdf.id, photo.id] : []));
    const now = databaseBytes();
    growth.push(now - before);
    before = now;
  }
  const detail = await (await fetch(`${base}/api/threads/${thread}`)).text();
  const parsed = JSON.parse(detail) as { messages: { parts: { type: string; text?: string }[] }[]; attachments: unknown[] };
  const textBytes = parsed.messages.reduce((n, m) => n + m.parts.reduce((k, p) => k + Buffer.byteLength(p.text ?? ""), 0), 0);
  // What the files add to the thread: their entries in the files list and their parts (references) in the messages.
  const fileBytes =
    Buffer.byteLength(JSON.stringify(parsed.attachments)) +
    parsed.messages.reduce((n, m) => n + m.parts.filter((p) => p.type === "image" || p.type === "document").reduce((k, p) => k + Buffer.byteLength(JSON.stringify(p)) + 1, 0), 0);
  clearInterval(rssTimer);

  const largest = Math.max(pdfBytes.length, photoBytes.length);
  const added = peakRss - baselineRss;
  const later = growth.slice(1).sort((a, b) => a - b);
  const mb = (n: number) => `${fmt(n / 1_000_000)} MB`;
  console.log(`attachments benchmark: ${TURNS} turns on Amazon Nova Pro (emulator in its own process, SQLite)`);
  console.log(`  upload report.pdf ${mb(pdfBytes.length)}: ${fmt(pdf.ms, 0)} ms; photo.jpg ${mb(photoBytes.length)} -> stored ${mb(photo.size)}: ${fmt(photo.ms, 0)} ms (${photo.notice ?? "not changed"})`);
  const sortedTimes = [...times].sort((a, b) => a - b);
  console.log(`  server time per turn (POST to done): first ${fmt(times[0]!, 1)} ms; later p50 ${fmt(percentile(sortedTimes, 50), 1)} / p95 ${fmt(percentile(sortedTimes, 95), 1)} ms`);
  console.log(`  peak RSS added: ${mb(added)} (after the uploads ${mb(afterUploadRss - baselineRss)}); target < 3x the largest file = ${mb(3 * largest)} ${added < 3 * largest ? "MET" : "MISSED"}`);
  console.log(`  database growth per turn: first ${fmt(growth[0]! / 1000, 1)} KB (the files were stored at upload); later p50 ${fmt(percentile(later, 50) / 1000, 1)} KB, max ${fmt((later.at(-1) ?? 0) / 1000, 1)} KB; target: independent of the files' ${mb(pdf.size + photo.size)} ${(later.at(-1) ?? 0) < 100_000 ? "MET" : "MISSED"}`);
  console.log(`  GET /api/threads/:id: ${fmt(detail.length / 1000, 1)} KB for ${fmt(textBytes / 1000, 1)} KB of text and ${parsed.messages.length} messages; target < 20 KB + text ${detail.length < 20_000 + textBytes ? "MET" : "MISSED"}`);
  console.log(`    of which the 2 files: ${fmt(fileBytes / 1000, 2)} KB (${fmt(fileBytes / 2, 0)} B a file; restated target <= 1 KB a file ${fileBytes / 2 <= 1000 ? "MET" : "MISSED"}); the rest is each message's own fields, ${fmt((detail.length - textBytes - fileBytes) / parsed.messages.length, 0)} B a message`);
} finally {
  clearInterval(rssTimer);
  server.kill("SIGTERM");
  emulator.stop();
  await new Promise((r) => setTimeout(r, 300));
  rmSync(dataDir, { recursive: true, force: true });
}
