/**
 * Storage at scale: 100,000 messages across 1,000 threads of one user (one thread of 500 messages), on SQLite and,
 * when Debian's PostgreSQL is installed, on a throwaway PostgreSQL cluster. Times the three reads a user waits
 * for: list threads, open the 500-message thread, search. Target: each under 50 ms p95. Run: npm run bench:store
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { openDatabase, type Db } from "../src/store/db.js";
import { newId } from "../src/store/ids.js";
import { listThreadMessages } from "../src/store/messages.js";
import { searchableText } from "../src/store/search.js";
import { getThread, listThreads, updateThread } from "../src/store/threads.js";
import { findPostgresBin, startPostgres } from "../test/helpers/postgres.js";

const THREADS = 1000;
const MESSAGES = 100_000;
const BIG_THREAD = 500;
const RUNS = Number(process.env["RUNS"] ?? 60);
const OWNER = "bench-user";

// A vocabulary of made-up words (deterministic), so text has realistic variety and searches have work to do.
let seed = 42;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const syllables = ["ka", "lo", "mi", "ner", "po", "qua", "ri", "sen", "tu", "val", "xe", "yo", "zan", "bri", "cho", "dra", "fen", "gul", "hin", "jor"];
const vocabulary = Array.from({ length: 6000 }, () => Array.from({ length: 2 + Math.floor(random() * 3) }, () => syllables[Math.floor(random() * syllables.length)]).join(""));
const words = (n: number) => Array.from({ length: n }, () => vocabulary[Math.floor(random() ** 1.6 * vocabulary.length)]).join(" ");

async function seedDatabase(db: Db): Promise<{ bigThread: string }> {
  seed = 7; // the same corpus on each database
  await db.insertInto("users").values({ id: OWNER, email: "bench@example.com", name: "Bench", role: "user", created_at: new Date().toISOString() }).execute();
  const start = Date.parse("2026-01-01T00:00:00Z");
  const threadIds: string[] = [];
  const threads = Array.from({ length: THREADS }, (_, i) => {
    const id = newId(start + i * 60_000);
    threadIds.push(id);
    const at = new Date(start + i * 60_000).toISOString();
    return { id, owner_id: OWNER, title: words(4), profile: "Claude", settings: "{}", active_leaf_id: null, extra_cost: "0", created_at: at, updated_at: at };
  });
  for (let i = 0; i < threads.length; i += 500) await db.insertInto("threads").values(threads.slice(i, i + 500)).execute();
  await db.insertInto("message_search").values(threads.map((t) => ({ message_id: `title:${t.id}`, thread_id: t.id, owner_id: OWNER, body: searchableText([{ type: "text", text: t.title }]) }))).execute();

  // Thread 0 gets 500 messages; the rest are spread over the others.
  const perThread = (MESSAGES - BIG_THREAD) / (THREADS - 1);
  const batch: { messages: Record<string, unknown>[]; search: Record<string, unknown>[] } = { messages: [], search: [] };
  const flush = async () => {
    if (!batch.messages.length) return;
    await db.transaction().execute(async (tx) => {
      for (let i = 0; i < batch.messages.length; i += 400) await tx.insertInto("messages").values(batch.messages.slice(i, i + 400) as never).execute();
      for (let i = 0; i < batch.search.length; i += 400) await tx.insertInto("message_search").values(batch.search.slice(i, i + 400) as never).execute();
    });
    batch.messages = [];
    batch.search = [];
  };
  let made = 0;
  for (let t = 0; t < THREADS; t++) {
    const count = t === 0 ? BIG_THREAD : Math.round(perThread * (t + 1)) - Math.round(perThread * t);
    let parent: string | null = null;
    for (let m = 0; m < count; m++, made++) {
      const id = newId(start + t * 60_000 + m);
      const role = m % 2 === 0 ? "user" : "assistant";
      const parts = [{ type: "text" as const, text: role === "user" ? words(12 + Math.floor(random() * 20)) : `${words(60 + Math.floor(random() * 120))}\n\n\`\`\`js\nconsole.log(${m})\n\`\`\`` }];
      const at = new Date(start + t * 60_000 + m).toISOString();
      batch.messages.push({ id, owner_id: OWNER, thread_id: threadIds[t], parent_id: parent, role, parts: JSON.stringify(parts), status: "complete", profile: "Claude", model_id: "m", input_tokens: 100, output_tokens: 200, cache_read_tokens: 0, cache_write_tokens: 0, cost: "0.0012", error: null, meta: null, created_at: at, updated_at: at });
      batch.search.push({ message_id: id, thread_id: threadIds[t], owner_id: OWNER, body: searchableText(parts) });
      parent = id;
    }
    if (t % 50 === 49) await flush();
  }
  await flush();
  if (made !== MESSAGES) throw new Error(`seeded ${made} messages, expected ${MESSAGES}`);
  return { bigThread: threadIds[0]! };
}

async function time(runs: number, work: (i: number) => Promise<unknown>): Promise<{ p50: number; p95: number; max: number }> {
  for (let i = 0; i < 5; i++) await work(i);
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await work(i);
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!;
  return { p50: at(0.5), p95: at(0.95), max: samples.at(-1)! };
}

async function measure(name: string, db: Db): Promise<string[]> {
  const t0 = performance.now();
  const { bigThread } = await seedDatabase(db);
  const seeded = (performance.now() - t0) / 1000;
  if (name === "PostgreSQL") await sql`ANALYZE`.execute(db);
  const queries = Array.from({ length: 20 }, () => vocabulary[Math.floor(random() ** 1.6 * 200)]!.slice(0, 5) + " " + vocabulary[Math.floor(random() ** 1.6 * 2000)]!);
  const list = await time(RUNS, () => listThreads(db, OWNER));
  const open = await time(RUNS, async () => {
    await getThread(db, OWNER, bigThread);
    const messages = await listThreadMessages(db, OWNER, bigThread);
    if (messages.length !== BIG_THREAD) throw new Error(`thread has ${messages.length} messages`);
  });
  let hits = 0;
  const search = await time(RUNS, async (i) => {
    hits += (await listThreads(db, OWNER, { query: queries[i % queries.length]! })).length;
  });
  // Renaming re-indexes the title: its search row is replaced (on SQLite an index lookup, not a scan of the index).
  const renamed = (await listThreads(db, OWNER)).map((t) => t.id);
  const rename = await time(RUNS, (i) => updateThread(db, OWNER, renamed[i % renamed.length]!, { title: `Renamed thread ${i}` }));
  const fmt = (r: { p50: number; p95: number; max: number }) => `${r.p50.toFixed(1)} / ${r.p95.toFixed(1)} ms${r.p95 < 50 ? "  (met)" : "  (MISSED: target p95 < 50 ms)"}`;
  return [
    `${name}: seeded ${MESSAGES.toLocaleString()} messages in ${THREADS.toLocaleString()} threads in ${seeded.toFixed(1)} s`,
    `  list threads (500 newest)      p50 / p95: ${fmt(list)}`,
    `  open the 500-message thread    p50 / p95: ${fmt(open)}`,
    `  search (2 words, prefixes)     p50 / p95: ${fmt(search)}   (${hits} threads found in all; the same on both databases)`,
    `  rename a thread (re-index)     p50 / p95: ${fmt(rename)}`,
  ];
}

const lines: string[] = [];
const dir = mkdtempSync(join(tmpdir(), "bench-store-"));
try {
  const sqlite = await openDatabase(dir);
  lines.push(...(await measure("SQLite", sqlite)));
  await sqlite.destroy();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const bin = findPostgresBin();
if (bin) {
  const cluster = await startPostgres(bin);
  try {
    const pg = await openDatabase(cluster.url);
    lines.push(...(await measure("PostgreSQL", pg)));
    await pg.destroy();
  } finally {
    cluster.stop();
  }
} else {
  lines.push("PostgreSQL: not measured (apt-get install postgresql to include it)");
}
console.log(`\nbench:store (${RUNS} runs per read, after 5 warm-up runs)\n${lines.join("\n")}`);
