import { sql } from "kysely";
import type { Part } from "../engine/types.js";
import type { Db } from "./db.js";

/** The searchable text of a message: its text parts only (never reasoning, tool input or JSON keys). */
export function searchableText(parts: readonly Part[]): string {
  return parts.flatMap((p) => (p.type === "text" ? [p.text] : [])).join("\n");
}

/** Indexes a message's text; `fresh` messages were never indexed, so there is nothing to replace. */
export async function indexMessageText(db: Db, message: { id: string; threadId: string; ownerId: string; parts: readonly Part[] }, fresh = false): Promise<void> {
  if (!fresh) await db.deleteFrom("message_search").where("message_id", "=", message.id).execute();
  const body = searchableText(message.parts);
  if (body.trim() === "") return;
  await db.insertInto("message_search").values({ message_id: message.id, thread_id: message.threadId, owner_id: message.ownerId, body }).execute();
}

/** FTS5 query for words typed in a search box: every word must appear, each matched as a prefix. */
export function ftsQuery(input: string): string | undefined {
  const words = input.toLowerCase().match(/[\p{L}\p{N}]+/gu);
  if (!words?.length) return undefined;
  return words.map((w) => `"${w}"*`).join(" AND ");
}

/** Ids of the owner's threads whose messages match the query. */
export async function searchThreadIds(db: Db, owner: string, input: string): Promise<Set<string>> {
  const query = ftsQuery(input);
  if (!query) return new Set();
  const rows = await sql<{ thread_id: string }>`SELECT DISTINCT thread_id FROM message_search WHERE message_search MATCH ${query} AND owner_id = ${owner}`.execute(db);
  return new Set(rows.rows.map((r) => r.thread_id));
}
