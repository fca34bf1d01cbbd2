import { sql, type RawBuilder } from "kysely";
import type { Part } from "../engine/types.js";
import { dialectOf, type Db } from "./db.js";
// One tokenizer for the index, the queries and the snippets' marks (the web marks titles with it too).
import { searchWords } from "../shared/search-words.js";

export { searchWords };

/** The searchable text of a message: its text parts only (never reasoning, tool input or JSON keys). */
export function searchableText(parts: readonly Part[]): string {
  return searchWords(parts.flatMap((p) => (p.type === "text" ? [p.text] : [])).join("\n")).join(" ");
}

/** Indexes a message's text; `fresh` messages were never indexed, so there is nothing to replace. */
export async function indexMessageText(db: Db, message: { id: string; threadId: string; ownerId: string; parts: readonly Part[] }, fresh = false): Promise<void> {
  if (!fresh) await db.deleteFrom("message_search").where("message_id", "=", message.id).execute();
  const body = searchableText(message.parts);
  if (body === "") return;
  await db.insertInto("message_search").values({ message_id: message.id, thread_id: message.threadId, owner_id: message.ownerId, body }).execute();
}

/** FTS5 query for words typed in a search box: every word must appear, each matched as a prefix. */
export function ftsQuery(input: string): string | undefined {
  const words = searchWords(input);
  if (!words.length) return undefined;
  return words.map((w) => `"${w}"*`).join(" AND ");
}

/** The same query for PostgreSQL's to_tsquery: `word:* & word:*` (words are letters and digits only). */
export function tsQuery(input: string): string | undefined {
  const words = searchWords(input);
  if (!words.length) return undefined;
  return words.map((w) => `${w}:*`).join(" & ");
}

/** The search-index row of a thread's title (titles are searched like message text). */
export function titleKey(threadId: string): string {
  return `title:${threadId}`;
}

/** Indexes (or re-indexes) a thread's title. */
export async function indexThreadTitle(db: Db, thread: { id: string; ownerId: string; title: string }): Promise<void> {
  await db.deleteFrom("message_search").where("message_id", "=", titleKey(thread.id)).execute();
  const body = searchWords(thread.title).join(" ");
  if (body === "") return;
  await db.insertInto("message_search").values({ message_id: titleKey(thread.id), thread_id: thread.id, owner_id: thread.ownerId, body }).execute();
}

/**
 * A subquery of the ids of the owner's threads whose title or message text has every word of the input (as
 * prefixes); undefined when the input has no words.
 */
export function threadSearch(db: Db, owner: string, input: string): RawBuilder<string> | undefined {
  if (dialectOf(db) === "postgres") {
    const query = tsQuery(input);
    return query ? sql<string>`(SELECT thread_id FROM message_search WHERE tsv @@ to_tsquery('simple', ${query}) AND owner_id = ${owner})` : undefined;
  }
  const query = ftsQuery(input);
  // The FTS5 index (message_search_fts) holds only the text; its rowids are the keyed rows of message_search.
  return query
    ? sql<string>`(SELECT thread_id FROM message_search WHERE id IN (SELECT rowid FROM message_search_fts WHERE message_search_fts MATCH ${query}) AND owner_id = ${owner})`
    : undefined;
}

/**
 * Threads (issue 12): for each of `threadIds`, the newest of its messages whose text has every word of the input
 * (the message a search result's snippet is taken from). Titles are not messages: a thread found by its title
 * alone has no entry.
 */
export async function newestMatchingMessages(db: Db, owner: string, threadIds: readonly string[], input: string): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  if (!threadIds.length) return found;
  const ids = sql.join(threadIds.map((id) => sql`${id}`));
  let rows: { thread_id: string; message_id: string }[];
  if (dialectOf(db) === "postgres") {
    const query = tsQuery(input);
    if (!query) return found;
    rows = (
      await sql<{ thread_id: string; message_id: string }>`SELECT s.thread_id, s.message_id FROM message_search s JOIN messages m ON m.id = s.message_id
        WHERE s.owner_id = ${owner} AND s.thread_id IN (${ids}) AND s.tsv @@ to_tsquery('simple', ${query}) ORDER BY m.created_at DESC, m.id DESC`.execute(db)
    ).rows;
  } else {
    const query = ftsQuery(input);
    if (!query) return found;
    rows = (
      await sql<{ thread_id: string; message_id: string }>`SELECT s.thread_id, s.message_id FROM message_search s JOIN messages m ON m.id = s.message_id
        WHERE s.owner_id = ${owner} AND s.thread_id IN (${ids}) AND s.id IN (SELECT rowid FROM message_search_fts WHERE message_search_fts MATCH ${query}) ORDER BY m.created_at DESC, m.id DESC`.execute(db)
    ).rows;
  }
  for (const row of rows) if (!found.has(row.thread_id)) found.set(row.thread_id, row.message_id);
  return found;
}
