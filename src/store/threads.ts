import type { Selectable } from "kysely";
import { sumAmounts } from "../engine/cost.js";
import type { Db } from "./db.js";
import { newId, nowIso } from "./ids.js";
import { stripNul } from "../shared/text.js";
import type { ThreadsTable } from "./schema.js";
import { indexThreadTitle, threadSearch } from "./search.js";

export interface Thread {
  id: string;
  title: string;
  profile: string;
  settings: Record<string, unknown>;
  activeLeafId: string | null;
  extraCost: string;
  createdAt: string;
  updatedAt: string;
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
  };
}

export async function createThread(db: Db, owner: string, input: { title: string; profile: string; settings: Record<string, unknown> }): Promise<Thread> {
  const now = nowIso();
  const row = { id: newId(), owner_id: owner, title: stripNul(input.title), profile: input.profile, settings: JSON.stringify(input.settings), active_leaf_id: null, extra_cost: "0", created_at: now, updated_at: now };
  await db.insertInto("threads").values(row).execute();
  await indexThreadTitle(db, { id: row.id, ownerId: owner, title: row.title });
  return toThread(row);
}

export async function getThread(db: Db, owner: string, id: string): Promise<Thread | undefined> {
  const row = await db.selectFrom("threads").selectAll().where("id", "=", id).where("owner_id", "=", owner).executeTakeFirst();
  return row ? toThread(row) : undefined;
}

/** Newest first; with a query, threads whose title or message text matches every word (as prefixes). */
export async function listThreads(db: Db, owner: string, options: { query?: string; limit?: number } = {}): Promise<Thread[]> {
  let q = db.selectFrom("threads").selectAll().where("owner_id", "=", owner);
  const text = options.query?.trim();
  if (text) {
    const matching = threadSearch(db, owner, text);
    if (!matching) return [];
    q = q.where("id", "in", matching);
  }
  const rows = await q.orderBy("updated_at", "desc").orderBy("id", "desc").limit(options.limit ?? 500).execute();
  return rows.map(toThread);
}

/** A change to a thread; absent (or undefined) fields stay as they are. */
export type ThreadPatch = { [K in "title" | "profile" | "settings" | "activeLeafId"]?: Thread[K] | undefined };

/** Updates a thread without reading it back (the hot path of generations); `updated_at` moves either way. */
export async function touchThread(db: Db, owner: string, id: string, patch: ThreadPatch = {}): Promise<void> {
  await db
    .updateTable("threads")
    .set({
      ...(patch.title !== undefined ? { title: stripNul(patch.title) } : {}),
      ...(patch.profile !== undefined ? { profile: patch.profile } : {}),
      ...(patch.settings !== undefined ? { settings: JSON.stringify(patch.settings) } : {}),
      ...(patch.activeLeafId !== undefined ? { active_leaf_id: patch.activeLeafId } : {}),
      updated_at: nowIso(),
    })
    .where("id", "=", id)
    .where("owner_id", "=", owner)
    .execute();
  if (patch.title !== undefined) await indexThreadTitle(db, { id, ownerId: owner, title: patch.title });
}

/** Updates the thread and returns it as it is now (undefined when the owner has no such thread). */
export async function updateThread(db: Db, owner: string, id: string, patch: ThreadPatch): Promise<Thread | undefined> {
  await touchThread(db, owner, id, patch);
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
