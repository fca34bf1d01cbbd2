import { sql, type Kysely } from "kysely";

/**
 * Organizing threads (issue 12): `active_at` is the time of the thread's last activity (a message or an answer), which
 * orders the list; `updated_at` keeps moving on any change (a rename, a settings change), so a rename no longer
 * brings an old thread to Today. `pinned` (0/1) keeps a thread on top; `archived_at` hides it from the list (it is
 * listed under Archived until restored). The list's index follows its order: pinned first, then newest activity.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("threads").addColumn("active_at", "text", (c) => c.notNull().defaultTo("")).execute();
  await db.schema.alterTable("threads").addColumn("pinned", "integer", (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable("threads").addColumn("archived_at", "text").execute();
  // Until now the last change was the only time there was: the best estimate of the last activity.
  await sql`UPDATE threads SET active_at = updated_at`.execute(db);
  await db.schema.createIndex("threads_owner_list").on("threads").columns(["owner_id", "pinned", "active_at", "id"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("threads_owner_list").execute();
  await db.schema.alterTable("threads").dropColumn("archived_at").execute();
  await db.schema.alterTable("threads").dropColumn("pinned").execute();
  await db.schema.alterTable("threads").dropColumn("active_at").execute();
}
