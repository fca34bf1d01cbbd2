import { sql, type Kysely } from "kysely";
import type { Dialect } from "../db.js";

/**
 * SQLite: the searchable rows move to a plain table keyed by message id (the same shape as on PostgreSQL), and
 * the FTS5 index reads its text from that table (an external-content table kept in step by triggers). FTS5
 * cannot index an UNINDEXED column, so deleting a message's row by its id used to scan the whole index: 26 ms per
 * delete at 100,000 messages, on every new thread, title, rename and deleted message. Now it is an index lookup.
 * PostgreSQL: nothing to do (its message_id is the primary key).
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  if (dialect !== "sqlite") return;
  // An explicit INTEGER PRIMARY KEY: the FTS index refers to rows by it, and VACUUM keeps it stable.
  await sql`CREATE TABLE message_search_rows (
    id INTEGER PRIMARY KEY,
    message_id TEXT NOT NULL UNIQUE,
    thread_id TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    body TEXT NOT NULL
  )`.execute(db);
  await sql`INSERT OR REPLACE INTO message_search_rows (message_id, thread_id, owner_id, body) SELECT message_id, thread_id, owner_id, body FROM message_search`.execute(db);
  await sql`DROP TABLE message_search`.execute(db);
  await sql`ALTER TABLE message_search_rows RENAME TO message_search`.execute(db);
  await sql`CREATE INDEX message_search_thread ON message_search (thread_id)`.execute(db);
  await sql`CREATE VIRTUAL TABLE message_search_fts USING fts5(body, content = 'message_search', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4 5')`.execute(db);
  await sql`INSERT INTO message_search_fts (message_search_fts) VALUES ('rebuild')`.execute(db);
  await sql`CREATE TRIGGER message_search_insert AFTER INSERT ON message_search BEGIN
    INSERT INTO message_search_fts (rowid, body) VALUES (new.id, new.body);
  END`.execute(db);
  await sql`CREATE TRIGGER message_search_delete AFTER DELETE ON message_search BEGIN
    INSERT INTO message_search_fts (message_search_fts, rowid, body) VALUES ('delete', old.id, old.body);
  END`.execute(db);
  await sql`CREATE TRIGGER message_search_update AFTER UPDATE ON message_search BEGIN
    INSERT INTO message_search_fts (message_search_fts, rowid, body) VALUES ('delete', old.id, old.body);
    INSERT INTO message_search_fts (rowid, body) VALUES (new.id, new.body);
  END`.execute(db);
}

export async function down(): Promise<void> {
  // The keyed table answers the same queries; nothing to undo.
}
