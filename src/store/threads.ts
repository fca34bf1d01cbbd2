import type { Selectable } from "kysely";
import { sumAmounts } from "../engine/cost.js";
import type { Db } from "./db.js";
import { isId, newId, nowIso } from "./ids.js";
import { stripNul } from "../shared/text.js";
import type { ThreadsTable } from "./schema.js";
import { indexThreadTitle, newestMatchingMessages, threadSearch } from "./search.js";
import { snippetOf, type Snippet } from "../shared/snippet.js";

export interface Thread {
  id: string;
  title: string;
  profile: string;
  settings: Record<string, unknown>;
  activeLeafId: string | null;
  extraCost: string;
  createdAt: string;
  /** The last change of any kind (a rename too). */
  updatedAt: string;
  /** The last activity, a message or an answer: what orders the list (a rename is not activity). */
  activeAt: string;
  /** Kept on top of the list. */
  pinned: boolean;
  /** When it was archived (hidden from the list, listed under Archived); null: in the list. */
  archivedAt: string | null;
}

function toThread(row: Selectable<ThreadsTable>): Thread {
  return {
    id: row.id,
    title: row.title,
    profile: row.profile,
    settings: JSON.parse(row.settings) as Record<string, unknown>,
    activeLeafId: row.active_leaf_id,
    extraCost: row.extra_cost,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    activeAt: row.active_at,
    pinned: row.pinned === 1,
    archivedAt: row.archived_at,
  };
}

export async function createThread(db: Db, owner: string, input: { title: string; profile: string; settings: Record<string, unknown> }): Promise<Thread> {
  const now = nowIso();
  const row = { id: newId(), owner_id: owner, title: stripNul(input.title), profile: input.profile, settings: JSON.stringify(input.settings), active_leaf_id: null, extra_cost: "0", created_at: now, updated_at: now, active_at: now, pinned: 0, archived_at: null };
  await db.insertInto("threads").values(row).execute();
  await indexThreadTitle(db, { id: row.id, ownerId: owner, title: row.title });
  return toThread(row);
}

export async function getThread(db: Db, owner: string, id: string): Promise<Thread | undefined> {
  const row = await db.selectFrom("threads").selectAll().where("id", "=", id).where("owner_id", "=", owner).executeTakeFirst();
  return row ? toThread(row) : undefined;
}

/** Where a page of the list starts: just after this thread (its place in the list's order). */
export interface ListCursor {
  pinned: number;
  activeAt: string;
  id: string;
}

/** A cursor as the API hands it out: opaque text (base64url of the thread's place in the order). */
export function encodeCursor(c: ListCursor): string {
  return Buffer.from(JSON.stringify([c.pinned, c.activeAt, c.id])).toString("base64url");
}

/** The cursor in `text`, or undefined when it is not one this server made. */
export function decodeCursor(text: string): ListCursor | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
    if (!Array.isArray(value) || value.length !== 3) return undefined;
    const [pinned, activeAt, id] = value as unknown[];
    if ((pinned !== 0 && pinned !== 1) || typeof activeAt !== "string" || activeAt.length > 40 || activeAt.includes("\u0000") || typeof id !== "string" || !isId(id)) return undefined;
    return { pinned, activeAt, id };
  } catch {
    return undefined;
  }
}

export interface ListOptions {
  /** Words typed in a search box: threads whose title or message text has every word (as prefixes). */
  query?: string | undefined;
  /** Threads per page (default 50). */
  limit?: number | undefined;
  /** The page after this place (a previous page's `next`). */
  after?: ListCursor | undefined;
  /** The archived threads instead of the list. */
  archived?: boolean | undefined;
}

/** A thread as the list shows it: with a search, the piece of the newest matching message, terms marked. */
export type ListedThread = Thread & { snippet?: Snippet };

/**
 * A page of the owner's threads: pinned first, then by last activity, newest first (ties by id); `next` is where
 * the following page starts (absent on the last page). Archived threads are only in the archived list.
 */
export async function listThreadPage(db: Db, owner: string, options: ListOptions = {}): Promise<{ threads: ListedThread[]; next?: ListCursor }> {
  const limit = options.limit ?? 50;
  let q = db.selectFrom("threads").selectAll().where("owner_id", "=", owner).where("archived_at", options.archived ? "is not" : "is", null);
  const text = options.query?.trim();
  if (text) {
    const matching = threadSearch(db, owner, text);
    if (!matching) return { threads: [] };
    q = q.where("id", "in", matching);
  }
  const after = options.after;
  if (after) {
    q = q.where((eb) =>
      eb.or([
        eb("pinned", "<", after.pinned),
        eb.and([eb("pinned", "=", after.pinned), eb("active_at", "<", after.activeAt)]),
        eb.and([eb("pinned", "=", after.pinned), eb("active_at", "=", after.activeAt), eb("id", "<", after.id)]),
      ]),
    );
  }
  const rows = await q.orderBy("pinned", "desc").orderBy("active_at", "desc").orderBy("id", "desc").limit(limit + 1).execute();
  const page = rows.slice(0, limit);
  const threads: ListedThread[] = page.map(toThread);
  if (text) await addSnippets(db, owner, threads, text);
  const last = page.at(-1);
  return rows.length > limit && last ? { threads, next: { pinned: last.pinned, activeAt: last.active_at, id: last.id } } : { threads };
}

/** Each found thread's snippet, from the stored text of its newest matching message (the index keeps only words). */
async function addSnippets(db: Db, owner: string, threads: ListedThread[], query: string): Promise<void> {
  const newest = await newestMatchingMessages(db, owner, threads.map((t) => t.id), query);
  if (!newest.size) return;
  const rows = await db.selectFrom("messages").select(["id", "parts"]).where("owner_id", "=", owner).where("id", "in", [...newest.values()]).execute();
  const textOf = new Map(rows.map((r) => [r.id, (JSON.parse(r.parts) as { type: string; text?: string }[]).flatMap((p) => (p.type === "text" && p.text ? [p.text] : [])).join("\n")]));
  for (const thread of threads) {
    const messageId = newest.get(thread.id);
    const snippet = messageId ? snippetOf(textOf.get(messageId) ?? "", query) : undefined;
    if (snippet) thread.snippet = snippet;
  }
}

/** The first page of the list (newest activity first; see listThreadPage). */
export async function listThreads(db: Db, owner: string, options: ListOptions = {}): Promise<ListedThread[]> {
  return (await listThreadPage(db, owner, options)).threads;
}

/** A change to a thread; absent (or undefined) fields stay as they are. */
export type ThreadPatch = { [K in "title" | "profile" | "settings" | "activeLeafId"]?: Thread[K] | undefined };

/**
 * Activity in a thread (a question, an answer; the hot path of generations), without reading it back: the thread
 * moves to the top of the list by its activity time, and an archived thread comes back to the list.
 */
export async function touchThread(db: Db, owner: string, id: string, patch: ThreadPatch = {}): Promise<void> {
  await applyPatch(db, owner, id, patch, true);
}

/** `updated_at` moves with any change; `active_at` only with activity (a rename or a settings change is none). */
async function applyPatch(db: Db, owner: string, id: string, patch: ThreadPatch, activity: boolean): Promise<void> {
  const now = nowIso();
  await db
    .updateTable("threads")
    .set({
      ...(patch.title !== undefined ? { title: stripNul(patch.title) } : {}),
      ...(patch.profile !== undefined ? { profile: patch.profile } : {}),
      ...(patch.settings !== undefined ? { settings: JSON.stringify(patch.settings) } : {}),
      ...(patch.activeLeafId !== undefined ? { active_leaf_id: patch.activeLeafId } : {}),
      ...(activity ? { active_at: now, archived_at: null } : {}),
      updated_at: now,
    })
    .where("id", "=", id)
    .where("owner_id", "=", owner)
    .execute();
  if (patch.title !== undefined) await indexThreadTitle(db, { id, ownerId: owner, title: patch.title });
}

/** Updates the thread and returns it as it is now (undefined when the owner has no such thread). */
export async function updateThread(db: Db, owner: string, id: string, patch: ThreadPatch): Promise<Thread | undefined> {
  // A rename, a profile or settings change, a version switch: changes, not activity (the list's order stays).
  await applyPatch(db, owner, id, patch, false);
  return getThread(db, owner, id);
}

/** Sets the title only if it is still `placeholder` (the user may have renamed the thread meanwhile). */
export async function setTitleIfPlaceholder(db: Db, owner: string, id: string, placeholder: string, generated: string): Promise<void> {
  // A title a model wrote may carry NUL characters, which PostgreSQL's text cannot hold.
  const title = stripNul(generated);
  const result = await db.updateTable("threads").set({ title }).where("id", "=", id).where("owner_id", "=", owner).where("title", "=", placeholder).executeTakeFirst();
  if (result.numUpdatedRows > 0n) await indexThreadTitle(db, { id, ownerId: owner, title });
}

export async function addThreadCost(db: Db, owner: string, id: string, amount: string): Promise<void> {
  const thread = await getThread(db, owner, id);
  if (!thread) return;
  await db.updateTable("threads").set({ extra_cost: sumAmounts([thread.extraCost, amount]).total }).where("id", "=", id).where("owner_id", "=", owner).execute();
}

export async function deleteThread(db: Db, owner: string, id: string): Promise<boolean> {
  const result = await db.deleteFrom("threads").where("id", "=", id).where("owner_id", "=", owner).executeTakeFirst();
  if (result.numDeletedRows > 0n) await db.deleteFrom("message_search").where("thread_id", "=", id).execute();
  return result.numDeletedRows > 0n;
}

// threads (issue 12): pin and archive; neither is activity, and a thread is never both (archiving unpins it,
// pinning brings it back from the archive).

/** Pins or unpins the thread; undefined when the owner has no such thread. */
export async function setPinned(db: Db, owner: string, id: string, pinned: boolean): Promise<Thread | undefined> {
  await db
    .updateTable("threads")
    .set({ pinned: pinned ? 1 : 0, ...(pinned ? { archived_at: null } : {}), updated_at: nowIso() })
    .where("id", "=", id)
    .where("owner_id", "=", owner)
    .execute();
  return getThread(db, owner, id);
}

/** Archives the thread (hidden from the list, listed under Archived) or restores it; undefined when the owner has no such thread. */
export async function setArchived(db: Db, owner: string, id: string, archived: boolean): Promise<Thread | undefined> {
  const now = nowIso();
  await db
    .updateTable("threads")
    .set({ archived_at: archived ? now : null, ...(archived ? { pinned: 0 } : {}), updated_at: now })
    .where("id", "=", id)
    .where("owner_id", "=", owner)
    .execute();
  return getThread(db, owner, id);
}
