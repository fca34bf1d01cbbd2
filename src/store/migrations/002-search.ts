import { sql, type Kysely } from "kysely";
import type { Dialect } from "../db.js";

/**
 * Full-text search over message text. SQLite: an FTS5 table (unicode61 tokenizer, prefix queries). PostgreSQL: a
 * table with a generated tsvector in the `simple` configuration (no stemming), GIN-indexed; prefix queries with `:*`.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  if (dialect === "postgres") {
    await sql`CREATE TABLE message_search (
      message_id text PRIMARY KEY,
      thread_id text NOT NULL,
      owner_id text NOT NULL,
      body text NOT NULL,
      tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', body)) STORED
    )`.execute(db);
    await sql`CREATE INDEX message_search_tsv ON message_search USING GIN (tsv)`.execute(db);
    await sql`CREATE INDEX message_search_thread ON message_search (thread_id)`.execute(db);
    return;
  }
  await sql`CREATE VIRTUAL TABLE message_search USING fts5(message_id UNINDEXED, thread_id UNINDEXED, owner_id UNINDEXED, body, tokenize = 'unicode61 remove_diacritics 2')`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE message_search`.execute(db);
}
