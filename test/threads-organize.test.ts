import SQLite from "better-sqlite3";
import { Kysely, SqliteDialect } from "kysely";
import { Migrator } from "kysely/migration";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "../src/store/db.js";
import { migrationsFor } from "../src/store/migrations/index.js";
import type { Database } from "../src/store/schema.js";
import { insertMessage, updateMessage } from "../src/store/messages.js";
import { getThread, listThreads, updateThread } from "../src/store/threads.js";
import { useBedrockEmulator } from "./helpers/bedrock-env.js";
import { readEvents, signIn, startChatServer, waitFor, type ChatServer, type Session } from "./helpers/chat-server.js";
import { databases } from "./helpers/databases.js";

const env = useBedrockEmulator();
const PROFILE = "Amazon Nova Pro";

/**
 * Organizing threads (issue 12), through the API on both storage engines: the list's order is activity (a rename is
 * not), pinned threads on top, archived ones apart, cursor paging of the list and of a search, search snippets
 * from the stored text, exports, and all of it scoped by owner.
 */
describe.each(databases)("organizing threads on $name", (kind) => {
  if (!kind.available) {
    it.skip("PostgreSQL is not installed here (apt-get install postgresql)", () => undefined);
    return;
  }
  let server: ChatServer;
  let alice: Session;
  let bob: Session;

  beforeAll(async () => {
    server = await startChatServer({ authMode: "local", database: await kind.location(), signInAttemptsPerIp: 1000, limits: { ratePerMinute: 10_000 } });
    await server.api("POST", "/auth/setup", { email: "alice@example.com", password: "alice long password", token: server.app.setupToken });
    alice = await signIn(server, "alice@example.com", "alice long password");
    await alice.api("POST", "/api/admin/users", { email: "bob@example.com", password: "bob's long password" });
    bob = await signIn(server, "bob@example.com", "bob's long password");
  });
  afterAll(async () => {
    if (!server) return;
    await waitFor(async () => server.app.generations.runningCount(), (n) => n === 0);
    await server.close();
  });

  const newThread = async (who: Session, title: string): Promise<string> => (await who.api("POST", "/api/threads", { profile: PROFILE, title })).body.thread.id;
  const ask = async (who: Session, threadId: string, text: string) => {
    const posted = await who.api("POST", `/api/threads/${threadId}/messages`, { text });
    expect(posted.status).toBe(202);
    await readEvents(`${server.url}/api/generations/${posted.body.generationId}/events`, { headers: { cookie: who.cookie } });
    await waitFor(async () => server.app.generations.runningCount(), (n) => n === 0);
  };
  const titles = async (who: Session, query = "") => ((await who.api("GET", `/api/threads${query}`)).body.threads as { title: string }[]).map((t) => t.title);
  const tick = () => new Promise((r) => setTimeout(r, 5));

  it("a rename or a settings change is not activity: the thread keeps its place; a new message moves it to the top", async () => {
    const older = await newThread(alice, "Order: older");
    await tick();
    await newThread(alice, "Order: newer");
    const before = (await alice.api("GET", `/api/threads/${older}`)).body.thread;
    await tick();
    const renamed = await alice.api("PATCH", `/api/threads/${older}`, { title: "Order: older, renamed" });
    expect(renamed.status).toBe(200);
    expect(renamed.body.thread.activeAt).toBe(before.activeAt);
    expect(renamed.body.thread.updatedAt > before.updatedAt).toBe(true);
    expect((await titles(alice, "?q=order")).slice(0, 2)).toEqual(["Order: newer", "Order: older, renamed"]);
    await ask(alice, older, "order matters");
    expect((await titles(alice, "?q=order")).slice(0, 2)).toEqual(["Order: older, renamed", "Order: newer"]);
  });

  it("pinned threads come first; pin and unpin are not activity", async () => {
    const a = await newThread(alice, "Pin: first");
    await tick();
    await newThread(alice, "Pin: second");
    const pinned = await alice.api("PUT", `/api/threads/${a}/pin`, { pinned: true });
    expect(pinned.status).toBe(200);
    expect(pinned.body.thread.pinned).toBe(true);
    const list = (await alice.api("GET", "/api/threads")).body.threads as { title: string; pinned: boolean }[];
    expect(list[0]).toMatchObject({ title: "Pin: first", pinned: true });
    expect(await titles(alice, "?q=pin")).toEqual(["Pin: first", "Pin: second"]);
    await alice.api("PUT", `/api/threads/${a}/pin`, { pinned: false });
    expect(await titles(alice, "?q=pin")).toEqual(["Pin: second", "Pin: first"]);
  });

  it("archiving hides a thread from the list and lists it under Archived (unpinned) until restored; a new message brings it back", async () => {
    const a = await newThread(alice, "Archive me");
    await alice.api("PUT", `/api/threads/${a}/pin`, { pinned: true });
    const archived = await alice.api("PUT", `/api/threads/${a}/archive`, { archived: true });
    expect(archived.status).toBe(200);
    expect(archived.body.thread).toMatchObject({ pinned: false });
    expect(archived.body.thread.archivedAt).toEqual(expect.any(String));
    expect(await titles(alice)).not.toContain("Archive me");
    expect(await titles(alice, "?q=archive")).toEqual([]);
    expect(await titles(alice, "?archived=true")).toContain("Archive me");
    expect(await titles(alice, "?archived=true&q=archive")).toEqual(["Archive me"]);
    await alice.api("PUT", `/api/threads/${a}/archive`, { archived: false });
    expect(await titles(alice)).toContain("Archive me");
    expect(await titles(alice, "?archived=true")).not.toContain("Archive me");
    // Archived again, then talked to: back in the list.
    await alice.api("PUT", `/api/threads/${a}/archive`, { archived: true });
    await ask(alice, a, "still here?");
    expect(await titles(alice, "?archived=true")).not.toContain("Archive me");
    expect((await titles(alice))[0]).toBe("Archive me");
  });

  it("pages through the list with cursors: every thread once, in order, pinned first, then newest activity", async () => {
    const carol = await (async () => {
      await alice.api("POST", "/api/admin/users", { email: "carol@example.com", password: "carol's long password" });
      return signIn(server, "carol@example.com", "carol's long password");
    })();
    const made: string[] = [];
    for (let i = 0; i < 7; i++) made.push(await newThread(carol, `Page ${i}`));
    await carol.api("PUT", `/api/threads/${made[2]}/pin`, { pinned: true });
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await carol.api("GET", `/api/threads?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      expect(page.status).toBe(200);
      seen.push(...(page.body.threads as { title: string }[]).map((t) => t.title));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(["Page 2", "Page 6", "Page 5", "Page 4", "Page 3", "Page 1", "Page 0"]);
    // A search pages the same way.
    const first = await carol.api("GET", "/api/threads?q=page&limit=4");
    expect(first.body.threads).toHaveLength(4);
    const second = await carol.api("GET", `/api/threads?q=page&limit=4&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    expect((second.body.threads as { title: string }[]).map((t) => t.title)).toEqual(["Page 3", "Page 1", "Page 0"]);
    expect(second.body.nextCursor).toBeUndefined();
  });

  it("refuses a cursor it did not make (400), and limits out of range", async () => {
    for (const cursor of ["walker", Buffer.from('[1,"x","not-an-id"]').toString("base64url"), Buffer.from("{}").toString("base64url"), "%00"]) {
      const answer = await alice.api("GET", `/api/threads?cursor=${cursor}`);
      expect(answer.status, cursor).toBe(400);
      expect(answer.body.error.code).toBe("invalid_cursor");
    }
    expect((await alice.api("GET", "/api/threads?limit=0")).status).toBe(400);
    expect((await alice.api("GET", "/api/threads?limit=201")).status).toBe(400);
  });

  it("search results carry a snippet of the stored message text, as typed, with the terms marked", async () => {
    const id = await newThread(alice, "Polar notes");
    const long = `${"Filler words before the point. ".repeat(12)}The Ångström-scale measurements of the Antarctic ice shelf were repeated in winter. ${"More words after it. ".repeat(12)}`;
    await ask(alice, id, long);
    const found = (await alice.api("GET", "/api/threads?q=antarc%20angst")).body.threads as { id: string; snippet?: { text: string; marks: [number, number][] } }[];
    expect(found.map((t) => t.id)).toEqual([id]);
    const snippet = found[0]!.snippet!;
    expect(snippet.text).toContain("The Ångström-scale measurements of the Antarctic ice shelf");
    expect(snippet.text.startsWith("…")).toBe(true);
    expect(snippet.text.endsWith("…")).toBe(true);
    expect(snippet.text.length).toBeLessThan(200);
    expect(snippet.marks.map(([s, e]) => snippet.text.slice(s, e))).toEqual(["Ångström", "Antarctic"]);
    // Found by its title only: no snippet.
    const byTitle = (await alice.api("GET", "/api/threads?q=polar")).body.threads as { snippet?: unknown }[];
    expect(byTitle[0]?.snippet).toBeUndefined();
  });

  it("exports a thread as Markdown and as JSON: text, reasoning, tool steps, attachments' names, model and cost per answer", async () => {
    const id = await newThread(alice, "Export: trip plans");
    const owner = (await alice.api("GET", "/api/session")).body.user.id as string;
    const question = await insertMessage(server.db, {
      ownerId: owner,
      threadId: id,
      parentId: null,
      role: "user",
      parts: [{ type: "text", text: "Plan a trip to Lisbon" }, { type: "document", format: "pdf", name: "itinerary", fileName: "itinerary.pdf", source: { type: "attachment", id: "0".repeat(32) } }],
      status: "complete",
    });
    const answerParts = [
      { type: "reasoning" as const, text: "The user wants a Lisbon plan." },
      { type: "toolUse" as const, id: "tool-1", name: "everything__echo", server: "everything", tool: "echo", input: { message: "tram 28" } },
      { type: "toolResult" as const, toolUseId: "tool-1", status: "success" as const, content: [{ type: "text" as const, text: "Echo: tram 28" }], durationMs: 42 },
      { type: "text" as const, text: "Day 1: ride tram 28 to Alfama." },
    ];
    const answer = await insertMessage(server.db, { ownerId: owner, threadId: id, parentId: question.id, role: "assistant", parts: [], status: "streaming", profile: PROFILE, modelId: "us.amazon.nova-pro-v1:0" });
    await updateMessage(server.db, owner, answer.id, { parts: answerParts, status: "complete", cost: "0.0123", usage: { inputTokens: 100, outputTokens: 50, cacheReadInputTokens: 0, cacheWriteInputTokens: 0, cacheWrite1hInputTokens: 0 }, firstIndex: true });
    await updateThread(server.db, owner, id, { activeLeafId: answer.id });

    const md = await fetch(`${server.url}/api/threads/${id}/export?format=markdown`, { headers: { cookie: alice.cookie, origin: server.url, "x-requested-with": "fetch" } });
    expect(md.status).toBe(200);
    expect(md.headers.get("content-type")).toMatch(/^text\/markdown/);
    expect(md.headers.get("content-disposition")).toContain('filename="Export trip plans.md"');
    const text = await md.text();
    expect(text).toMatch(/^# Export: trip plans\n/);
    expect(text).toContain("## You\n\nPlan a trip to Lisbon");
    expect(text).toContain("Attachments: itinerary.pdf");
    expect(text).toContain(`## Assistant · ${PROFILE} (us.amazon.nova-pro-v1:0) · $0.0123`);
    expect(text).toContain("<details><summary>Thinking</summary>\n\nThe user wants a Lisbon plan.");
    expect(text).toContain("**Tool: echo (everything)** · success, 42 ms");
    expect(text).toContain('"message": "tram 28"');
    expect(text).toContain("Echo: tram 28");
    expect(text).toContain("Day 1: ride tram 28 to Alfama.");
    expect(text.indexOf("Thinking")).toBeLessThan(text.indexOf("Day 1"));

    const json = await alice.api("GET", `/api/threads/${id}/export?format=json`);
    expect(json.status).toBe(200);
    expect(json.headers.get("content-disposition")).toContain('filename="Export trip plans.json"');
    expect(json.body).toMatchObject({
      format: "foundational-llm-chat/thread-export@1",
      thread: { id, title: "Export: trip plans", profile: PROFILE },
      cost: { total: "0.0123", complete: true },
      messages: [
        { role: "user", text: "Plan a trip to Lisbon", attachments: ["itinerary.pdf"], reasoning: [], toolSteps: [] },
        {
          role: "assistant",
          text: "Day 1: ride tram 28 to Alfama.",
          reasoning: ["The user wants a Lisbon plan."],
          toolSteps: [{ name: "everything__echo", server: "everything", tool: "echo", input: { message: "tram 28" }, status: "success", durationMs: 42, result: ["Echo: tram 28"] }],
          attachments: [],
          profile: PROFILE,
          model: "us.amazon.nova-pro-v1:0",
          cost: "0.0123",
          usage: { inputTokens: 100, outputTokens: 50 },
        },
      ],
    });
    expect((await alice.api("GET", `/api/threads/${id}/export?format=pdf`)).status).toBe(400);
  });

  it("another user's thread: pin, archive and export are 404 and change nothing; Bob's list and archive never show Alice's", async () => {
    const id = await newThread(alice, "Alice private walrus");
    for (const [method, path, body] of [
      ["PUT", `/api/threads/${id}/pin`, { pinned: true }],
      ["PUT", `/api/threads/${id}/archive`, { archived: true }],
      ["GET", `/api/threads/${id}/export?format=markdown`, undefined],
      ["GET", `/api/threads/${id}/export?format=json`, undefined],
    ] as const) {
      const answer = await bob.api(method, path, body);
      expect(answer.status, `${method} ${path}`).toBe(404);
      expect(JSON.stringify(answer.body)).not.toContain("walrus");
    }
    const owner = (await alice.api("GET", "/api/session")).body.user.id as string;
    expect(await getThread(server.db, owner, id)).toMatchObject({ pinned: false, archivedAt: null });
    expect(await titles(bob, "?q=walrus")).toEqual([]);
    expect(await titles(bob, "?archived=true")).toEqual([]);
    // Alice's cursor in Bob's hands pages Bob's own list (his threads only).
    const page = await alice.api("GET", "/api/threads?limit=1");
    const bobs = await bob.api("GET", `/api/threads?cursor=${encodeURIComponent(page.body.nextCursor)}`);
    expect(bobs.status).toBe(200);
    expect(JSON.stringify(bobs.body)).not.toContain("Alice");
  });
});

describe("migration 016 on SQLite", () => {
  it("takes each thread's last change as its last activity, and lists threads as before", async () => {
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: new SQLite(":memory:") }) });
    expect((await new Migrator({ db, provider: migrationsFor("sqlite") }).migrateTo("015-prompts")).error).toBeUndefined();
    await db.insertInto("users").values({ id: "alice", email: "alice@example.com", name: "alice", role: "user", created_at: "2026-01-01T00:00:00.000Z" }).execute();
    const old = (n: number) => ({ id: `${"0".repeat(31)}${n}`, owner_id: "alice", title: `old ${n}`, profile: "p", settings: "{}", active_leaf_id: null, created_at: "2026-01-01T00:00:00.000Z", updated_at: `2026-01-0${n}T00:00:00.000Z` });
    await db.insertInto("threads").values([old(1), old(3), old(2)]).execute();
    await migrate(db);
    const thread = await getThread(db, "alice", old(3).id);
    expect(thread).toMatchObject({ activeAt: "2026-01-03T00:00:00.000Z", pinned: false, archivedAt: null });
    expect((await listThreads(db, "alice")).map((t) => t.title)).toEqual(["old 3", "old 2", "old 1"]);
    await db.destroy();
  });
});
