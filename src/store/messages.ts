import type { Selectable } from "kysely";
import type { ChatMessage, MessageMeta } from "../shared/api.js";
import type { Part, Usage } from "../engine/types.js";
import type { Db } from "./db.js";
import { isId, newId, nowIso } from "./ids.js";
import type { MessagesTable } from "./schema.js";
import { indexMessageText } from "./search.js";

/** A message as stored and as the API returns it (one type: src/shared/api.ts). */
export type StoredMessage = ChatMessage;
export type { MessageMeta };

export function toStoredMessage(row: Selectable<MessagesTable>): StoredMessage {
  return {
    id: row.id,
    threadId: row.thread_id,
    parentId: row.parent_id,
    role: row.role,
    parts: JSON.parse(row.parts) as Part[],
    status: row.status,
    profile: row.profile,
    modelId: row.model_id,
    usage: {
      inputTokens: row.input_tokens,
      outputTokens: row.output_tokens,
      cacheReadInputTokens: row.cache_read_tokens,
      cacheWriteInputTokens: row.cache_write_tokens,
      cacheWrite1hInputTokens: row.cache_write_1h_tokens,
    },
    cost: row.cost,
    error: row.error ? (JSON.parse(row.error) as StoredMessage["error"]) : null,
    meta: row.meta ? (JSON.parse(row.meta) as MessageMeta) : {},
    createdAt: row.created_at,
  };
}

export interface NewMessage {
  id?: string;
  ownerId: string;
  threadId: string;
  parentId: string | null;
  role: "user" | "assistant";
  parts: Part[];
  status: MessagesTable["status"];
  profile?: string;
  modelId?: string;
}

export async function insertMessage(db: Db, message: NewMessage): Promise<StoredMessage> {
  const now = nowIso();
  const row = {
    id: message.id ?? newId(),
    owner_id: message.ownerId,
    thread_id: message.threadId,
    parent_id: message.parentId,
    role: message.role,
    parts: JSON.stringify(message.parts),
    status: message.status,
    profile: message.profile ?? null,
    model_id: message.modelId ?? null,
    cost: null,
    error: null,
    meta: null,
    created_at: now,
    updated_at: now,
  };
  await db.insertInto("messages").values(row).execute();
  if (message.status !== "streaming") await indexMessageText(db, { id: row.id, threadId: row.thread_id, ownerId: row.owner_id, parts: message.parts }, true);
  return toStoredMessage({ ...row, input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0, cache_write_1h_tokens: 0 });
}

export interface MessageUpdate {
  parts: Part[];
  status: MessagesTable["status"];
  usage?: Usage;
  cost?: string | null;
  modelId?: string;
  error?: StoredMessage["error"];
  meta?: MessageMeta;
  /** The message was streaming until now, so it was never indexed for search. */
  firstIndex?: boolean;
}

/** Saves an assistant message's progress or final state; final states are indexed for search. */
export async function updateMessage(db: Db, owner: string, id: string, update: MessageUpdate): Promise<void> {
  const row = await db
    .updateTable("messages")
    .set({
      parts: JSON.stringify(update.parts),
      status: update.status,
      ...(update.usage
        ? {
            input_tokens: update.usage.inputTokens,
            output_tokens: update.usage.outputTokens,
            cache_read_tokens: update.usage.cacheReadInputTokens,
            cache_write_tokens: update.usage.cacheWriteInputTokens,
            cache_write_1h_tokens: update.usage.cacheWrite1hInputTokens ?? 0,
          }
        : {}),
      ...(update.cost !== undefined ? { cost: update.cost } : {}),
      ...(update.modelId ? { model_id: update.modelId } : {}),
      ...(update.error !== undefined ? { error: update.error ? JSON.stringify(update.error) : null } : {}),
      ...(update.meta ? { meta: JSON.stringify(update.meta) } : {}),
      updated_at: nowIso(),
    })
    .where("id", "=", id)
    .where("owner_id", "=", owner)
    .returning(["thread_id"])
    .executeTakeFirst();
  if (row && update.status !== "streaming") await indexMessageText(db, { id, threadId: row.thread_id, ownerId: owner, parts: update.parts }, update.firstIndex);
}

export async function deleteMessage(db: Db, owner: string, id: string): Promise<void> {
  await db.deleteFrom("message_search").where("message_id", "=", id).execute();
  await db.deleteFrom("messages").where("id", "=", id).where("owner_id", "=", owner).execute();
}

export async function getMessage(db: Db, owner: string, id: string): Promise<StoredMessage | undefined> {
  if (!isId(id)) return undefined;
  const row = await db.selectFrom("messages").selectAll().where("id", "=", id).where("owner_id", "=", owner).executeTakeFirst();
  return row ? toStoredMessage(row) : undefined;
}

/** Every message of a thread (all branches), oldest first. */
export async function listThreadMessages(db: Db, owner: string, threadId: string): Promise<StoredMessage[]> {
  const rows = await db
    .selectFrom("messages")
    .selectAll()
    .where("thread_id", "=", threadId)
    .where("owner_id", "=", owner)
    .orderBy("created_at")
    .orderBy("id")
    .execute();
  return rows.map(toStoredMessage);
}
