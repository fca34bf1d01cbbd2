import SQLite from "better-sqlite3";
import { Kysely, sql, SqliteDialect } from "kysely";
import { Migrator } from "kysely/migration";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate, openDatabase, type Db } from "../src/store/db.js";
import { migrationsFor } from "../src/store/migrations/index.js";
import type { Database } from "../src/store/schema.js";
import { appendEvents, ConflictError, createGeneration, finishGeneration, getGeneration, readEvents, requestStop, runningGeneration, stopRequestedAmong } from "../src/store/generations.js";
import { getMessage, insertMessage, listThreadMessages, updateMessage } from "../src/store/messages.js";
import { addThreadCost, createThread, deleteThread, getThread, listThreads, setTitleIfPlaceholder, touchThread, updateThread } from "../src/store/threads.js";
import { indexThreadTitle } from "../src/store/search.js";
import { nowIso } from "../src/store/ids.js";
import { recordUsage, usageReport } from "../src/store/usage.js";
import { databases } from "./helpers/databases.js";

const text = (t: string) => [{ type: "text" as const, text: t }];

async function addUser(db: Db, id: string): Promise<void> {
  await db.insertInto("users").values({ id, email: `${id}@example.com`, name: id, role: "user", created_at: nowIso() }).execute();
}

/** The repository suite, on each storage engine: the same code and the same results. */
describe.each(databases)("store on $name", (kind) => {
  if (!kind.available) {
    it.skip("PostgreSQL is not installed here (apt-get install postgresql)", () => undefined);
    return;
  }
  let db: Db;
  beforeAll(async () => {
    db = await kind.open();
    await addUser(db, "alice");
    await addUser(db, "bob");
  });
  afterAll(async () => db.destroy());

  it("creates, reads, updates and deletes threads, scoped by owner", async () => {
    const t = await createThread(db, "alice", { title: "New chat", profile: "Claude", settings: { temperature: 0.5 } });
    expect(await getThread(db, "alice", t.id)).toMatchObject({ id: t.id, title: "New chat", settings: { temperature: 0.5 }, extraCost: "0" });
    expect(await getThread(db, "bob", t.id)).toBeUndefined();
    expect(await updateThread(db, "bob", t.id, { title: "stolen" })).toBeUndefined();
    expect((await updateThread(db, "alice", t.id, { title: "Renamed", profile: "Nova" }))?.title).toBe("Renamed");
    await setTitleIfPlaceholder(db, "alice", t.id, "New chat", "Auto title");
    expect((await getThread(db, "alice", t.id))?.title).toBe("Renamed");
    await addThreadCost(db, "alice", t.id, "0.0012");
    await addThreadCost(db, "alice", t.id, "0.0009");
    expect((await getThread(db, "alice", t.id))?.extraCost).toBe("0.0021");
    expect(await deleteThread(db, "bob", t.id)).toBe(false);
    expect(await deleteThread(db, "alice", t.id)).toBe(true);
    expect(await getThread(db, "alice", t.id)).toBeUndefined();
  });

  it("keeps messages with parents, status, usage and errors, oldest first", async () => {
    const t = await createThread(db, "alice", { title: "Messages", profile: "Claude", settings: {} });
    const user = await insertMessage(db, { ownerId: "alice", threadId: t.id, parentId: null, role: "user", parts: text("Hello"), status: "complete" });
    const answer = await insertMessage(db, { ownerId: "alice", threadId: t.id, parentId: user.id, role: "assistant", parts: [], status: "streaming", profile: "Claude" });
    await updateMessage(db, "alice", answer.id, {
      parts: text("Hi there"),
      status: "complete",
      usage: { inputTokens: 10, outputTokens: 3, cacheReadInputTokens: 1, cacheWriteInputTokens: 2, cacheWrite1hInputTokens: 0 },
      cost: "0.000075",
      modelId: "us.anthropic.claude",
      meta: { reasoningMs: 1200 },
      firstIndex: true,
    });
    await updateMessage(db, "bob", answer.id, { parts: text("overwritten"), status: "error" });
    const messages = await listThreadMessages(db, "alice", t.id);
    expect(messages.map((m) => [m.role, m.parentId, m.status])).toEqual([
      ["user", null, "complete"],
      ["assistant", user.id, "complete"],
    ]);
    expect(messages[1]).toMatchObject({ parts: text("Hi there"), cost: "0.000075", modelId: "us.anthropic.claude", usage: { inputTokens: 10, outputTokens: 3, cacheReadInputTokens: 1, cacheWriteInputTokens: 2, cacheWrite1hInputTokens: 0 }, meta: { reasoningMs: 1200 } });
    expect(await listThreadMessages(db, "bob", t.id)).toEqual([]);
    expect(await getMessage(db, "bob", answer.id)).toBeUndefined();
  });

  it("keeps cache reads and writes (the 1-hour share too) per answer and per usage record, and reports the cost with and without caching (issue 15)", async () => {
    const t = await createThread(db, "bob", { title: "Cache", profile: "Claude", settings: {} });
    const answer = await insertMessage(db, { ownerId: "bob", threadId: t.id, parentId: null, role: "assistant", parts: [], status: "streaming" });
    const usage = { inputTokens: 1000, outputTokens: 500, cacheReadInputTokens: 20_000, cacheWriteInputTokens: 4000, cacheWrite1hInputTokens: 1000 };
    await updateMessage(db, "bob", answer.id, { parts: text("ok"), status: "complete", usage, cost: "0.03375", firstIndex: true });
    expect((await getMessage(db, "bob", answer.id))!.usage).toEqual(usage);
    const day = new Date("2026-11-03T12:00:00Z");
    // The cost-test figures: 0.03375 billed, 0.0825 without caching; and a second call of one cache-read token at Nova Micro's price.
    await recordUsage(db, { userId: "bob", threadId: t.id, kind: "answer", profile: "Claude", modelId: "m-cache", usage, cost: "0.03375", uncachedCost: "0.0825" }, day);
    const tiny = { inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 1, cacheWriteInputTokens: 0, cacheWrite1hInputTokens: 0 };
    await recordUsage(db, { userId: "bob", threadId: t.id, kind: "answer", profile: "Nova", modelId: "m-cache", usage: tiny, cost: "0.00000000875", uncachedCost: "0.000000035" }, day);
    const rows = (await usageReport(db, new Date("2026-11-03T00:00:00Z"))).filter((r) => r.modelId === "m-cache");
    expect(rows).toEqual([
      {
        day: "2026-11-03",
        userId: "bob",
        email: "bob@example.com",
        modelId: "m-cache",
        calls: 2,
        inputTokens: 1000,
        outputTokens: 500,
        cacheReadTokens: 20_001,
        cacheWriteTokens: 4000,
        cacheWrite1hTokens: 1000,
        cost: "0.03375000875",
        uncachedCost: "0.082500035",
      },
    ]);
  });

  it("allows one running generation per thread, records stops and keeps the event log", async () => {
    const t = await createThread(db, "alice", { title: "Gen", profile: "Claude", settings: {} });
    const m = await insertMessage(db, { ownerId: "alice", threadId: t.id, parentId: null, role: "assistant", parts: [], status: "streaming" });
    const id = await createGeneration(db, { ownerId: "alice", threadId: t.id, messageId: m.id, instanceId: "i1" });
    await expect(createGeneration(db, { ownerId: "alice", threadId: t.id, messageId: m.id, instanceId: "i2" })).rejects.toBeInstanceOf(ConflictError);
    expect((await runningGeneration(db, "alice", t.id))?.id).toBe(id);
    expect(await requestStop(db, "bob", id)).toBe(false);
    expect(await stopRequestedAmong(db, [id])).toEqual([]);
    expect(await requestStop(db, "alice", id)).toBe(true);
    expect(await stopRequestedAmong(db, [id, "other"])).toEqual([id]);
    await appendEvents(db, id, 1, [{ type: "text", text: "a" }, { type: "text", text: "b" }]);
    await appendEvents(db, id, 3, [{ type: "done" }]);
    expect((await readEvents(db, id, 1)).map((e) => e.seq)).toEqual([2, 3]);
    await finishGeneration(db, id, "stopped", 3);
    expect(await getGeneration(db, "alice", id)).toMatchObject({ status: "stopped", stopRequested: true, lastSeq: 3 });
    expect(await getGeneration(db, "bob", id)).toBeUndefined();
    expect(await runningGeneration(db, "alice", t.id)).toBeUndefined();
    // A new generation may start once the first has ended.
    await createGeneration(db, { ownerId: "alice", threadId: t.id, messageId: m.id, instanceId: "i1" });
  });

  it("searches titles and message text by word prefixes, the same on both engines, never another user's", async () => {
    const corpus: [string, string, string][] = [
      ["alice", "Kubernetes networking", "How do pods talk to each other across nodes?"],
      ["alice", "Café recipes", "A crème brûlée needs cream, sugar and eggs."],
      ["alice", "Tax question", "My 2025 return: deductions for a home office"],
      ["alice", "JSON keys", "Plain words only"],
      ["bob", "Kubernetes for Bob", "pods and nodes"],
    ];
    const ids = new Map<string, string>();
    for (const [owner, title, body] of corpus) {
      const t = await createThread(db, owner, { title, profile: "Claude", settings: {} });
      await insertMessage(db, { ownerId: owner, threadId: t.id, parentId: null, role: "user", parts: [...text(body), { type: "reasoning", text: "hiddenreasoning" } as never], status: "complete" });
      ids.set(`${owner}:${title}`, t.id);
    }
    const titles = async (owner: string, query: string) => (await listThreads(db, owner, { query })).map((t) => t.title).sort();
    expect(await titles("alice", "kube")).toEqual(["Kubernetes networking"]);
    expect(await titles("alice", "pods nodes")).toEqual(["Kubernetes networking"]);
    expect(await titles("alice", "creme brulee")).toEqual(["Café recipes"]);
    expect(await titles("alice", "CAFE")).toEqual(["Café recipes"]);
    expect(await titles("alice", "2025 deduct")).toEqual(["Tax question"]);
    expect(await titles("alice", "type")).toEqual([]);
    expect(await titles("alice", "hiddenreasoning")).toEqual([]);
    expect(await titles("alice", "pods zebra")).toEqual([]);
    expect(await titles("alice", "!!!")).toEqual([]);
    expect(await titles("bob", "kubernetes")).toEqual(["Kubernetes for Bob"]);
    // A renamed thread is found by its new title only.
    const tax = ids.get("alice:Tax question")!;
    await updateThread(db, "alice", tax, { title: "Finances" });
    expect(await titles("alice", "finan")).toEqual(["Finances"]);
    expect(await titles("alice", "tax")).toEqual([]);
    // A deleted thread is gone from search.
    await deleteThread(db, "alice", tax);
    expect(await titles("alice", "deductions")).toEqual([]);
  });

  it("lists threads by last activity: activity moves a thread up, a settings change or a rename does not (issue 12)", async () => {
    await addUser(db, "carol");
    const first = await createThread(db, "carol", { title: "one", profile: "p", settings: {} });
    const second = await createThread(db, "carol", { title: "two", profile: "p", settings: {} });
    await new Promise((r) => setTimeout(r, 5));
    await updateThread(db, "carol", first.id, { settings: { x: 1 }, title: "one, renamed" });
    expect((await listThreads(db, "carol")).map((t) => t.id)).toEqual([second.id, first.id]);
    await touchThread(db, "carol", first.id);
    expect((await listThreads(db, "carol")).map((t) => t.id)).toEqual([first.id, second.id]);
  });
});

describe("search rows on SQLite", () => {
  it("finds a message's and a thread's search rows through an index, not by scanning the full-text index", async () => {
    const db = await openDatabase(":memory:");
    for (const column of ["message_id", "thread_id"]) {
      const plan = await sql<{ detail: string }>`EXPLAIN QUERY PLAN DELETE FROM message_search WHERE ${sql.ref(column)} = 'x'`.execute(db);
      expect(plan.rows.map((r) => r.detail).join("; ")).toMatch(/SEARCH message_search USING (COVERING )?INDEX/);
    }
    await db.destroy();
  });

  it("keeps what a database made before the keyed search rows could find, and forgets what is deleted", async () => {
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: new SQLite(":memory:") }) });
    const before = await new Migrator({ db, provider: migrationsFor("sqlite") }).migrateTo("005-search-prefix-index");
    expect(before.error).toBeUndefined();
    await addUser(db, "alice");
    // Threads as a database of that time held them (no columns of later migrations).
    const oldThread = async (id: string, title: string) => {
      await db.insertInto("threads").values({ id, owner_id: "alice", title, profile: "p", settings: "{}", active_leaf_id: null, created_at: nowIso(), updated_at: nowIso() }).execute();
      await indexThreadTitle(db, { id, ownerId: "alice", title });
      return { id };
    };
    const kept = await oldThread("0".repeat(31) + "1", "Volcano trip");
    await insertMessage(db, { ownerId: "alice", threadId: kept.id, parentId: null, role: "user", parts: text("Etna eruption schedule"), status: "complete" });
    const gone = await oldThread("0".repeat(31) + "2", "Glacier trip");
    await insertMessage(db, { ownerId: "alice", threadId: gone.id, parentId: null, role: "user", parts: text("Etna from the north"), status: "complete" });
    await migrate(db);
    const titles = async (query: string) => (await listThreads(db, "alice", { query })).map((t) => t.title).sort();
    expect(await titles("etna")).toEqual(["Glacier trip", "Volcano trip"]);
    expect(await titles("volc")).toEqual(["Volcano trip"]);
    await deleteThread(db, "alice", gone.id);
    await updateThread(db, "alice", kept.id, { title: "Sicily" });
    expect(await titles("etna")).toEqual(["Sicily"]);
    expect(await titles("glacier")).toEqual([]);
    expect(await titles("volcano")).toEqual([]);
    expect(await titles("sici")).toEqual(["Sicily"]);
    await db.destroy();
  });
});

describe("migration 017 (prompt caching)", () => {
  it("gives the usage records written before it their cost as the cost without caching, and zero cache tokens", async () => {
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: new SQLite(":memory:") }) });
    expect((await new Migrator({ db, provider: migrationsFor("sqlite") }).migrateTo("016-thread-organize")).error).toBeUndefined();
    await addUser(db, "alice");
    const old = (id: string, cost: string | null) =>
      sql`INSERT INTO usage_records (id, user_id, thread_id, kind, profile, model_id, input_tokens, output_tokens, cost, created_at) VALUES (${id}, 'alice', NULL, 'answer', 'p', 'm-old', 100, 50, ${cost}, '2026-11-01T10:00:00.000Z')`.execute(db);
    await old("r1", "0.0012");
    await old("r2", null);
    await migrate(db);
    const rows = await db.selectFrom("usage_records").select(["id", "cost", "uncached_cost", "cache_read_tokens", "cache_write_tokens", "cache_write_1h_tokens"]).orderBy("id").execute();
    expect(rows).toEqual([
      { id: "r1", cost: "0.0012", uncached_cost: "0.0012", cache_read_tokens: 0, cache_write_tokens: 0, cache_write_1h_tokens: 0 },
      { id: "r2", cost: null, uncached_cost: null, cache_read_tokens: 0, cache_write_tokens: 0, cache_write_1h_tokens: 0 },
    ]);
    expect((await usageReport(db, new Date("2026-11-01T00:00:00Z"))).map((r) => [r.cost, r.uncachedCost])).toEqual([["0.0012", "0.0012"]]);
    await db.destroy();
  });
});

describe("opening a database", () => {
  it("says which PostgreSQL it cannot use and what to check, without the password", async () => {
    const opening = openDatabase("postgres://chat:s3cret@127.0.0.1:1/chat");
    await expect(opening).rejects.toThrow(/cannot use the PostgreSQL database at 127\.0\.0\.1:1\/chat \(DATABASE_URL\): database migration failed: connect ECONNREFUSED.*Check that the server runs/);
    await expect(opening).rejects.not.toThrow(/s3cret/);
  });
});
