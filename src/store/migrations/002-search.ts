import { sql, type Kysely } from "kysely";

/** Full-text search over message text (SQLite FTS5, unicode61 tokenizer, prefix queries). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE VIRTUAL TABLE message_search USING fts5(message_id UNINDEXED, thread_id UNINDEXED, owner_id UNINDEXED, body, tokenize = 'unicode61 remove_diacritics 2')`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE message_search`.execute(db);
}
