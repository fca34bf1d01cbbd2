import type { Part, Usage } from "../engine/types.js";
import type { BlobStore } from "../attachments/blob-store.js";
import { attachmentIds } from "../shared/parts.js";
import { linkAttachments } from "./attachments.js";
import type { Db } from "./db.js";
import { appendEvents, createGeneration, finishGeneration } from "./generations.js";
import { deleteMessage, insertMessage, updateMessage, type MessageMeta, type NewMessage, type StoredMessage } from "./messages.js";
import { touchThread } from "./threads.js";
import { recordPromptUse } from "./prompt-pins.js";
import { recordToolCalls } from "./tool-calls.js";
import { recordUsage } from "./usage.js";
import type { GenerationsTable } from "./schema.js";

/** What starting an answer stores, in one commit (see startAnswer). */
export interface AnswerStart {
  ownerId: string;
  threadId: string;
  /** The id the answer's message gets. */
  messageId: string;
  instanceId: string;
  now: Date;
  /** The question: already stored (regenerate), or new and stored here. */
  question: { stored: StoredMessage } | { insert: NewMessage };
  profile: { name: string; modelId: string };
  /** A failed answer being retried: removed in the same commit (not kept as a version). */
  replaces?: StoredMessage;
  /** What the thread remembers for its next message. */
  threadPatch?: { profile: string; settings: Record<string, unknown> };
  /** Worst-case cost held against the spending cap while the answer runs. */
  reservedCost: string | null;
  /** Where attachment bytes live: a new question's files are linked to it (and no longer pending). */
  blobs?: BlobStore;
  /** The prompt version the answer is written with (issue 13), recorded with its start. */
  promptUse?: { key: string; promptId: string; version: number };
}

/**
 * The question (when new), the generation, its empty answer, the thread and the prompt version used, in the transaction `tx`. The unique
 * index that allows one running generation per thread refuses a second (ConflictError), which rolls it all back.
 */
export async function startAnswer(tx: Db, start: AnswerStart): Promise<{ generationId: string; userMessage: StoredMessage }> {
  const generationId = await createGeneration(tx, { ownerId: start.ownerId, threadId: start.threadId, messageId: start.messageId, instanceId: start.instanceId, now: start.now, reservedCost: start.reservedCost });
  if (start.replaces?.role === "assistant" && start.replaces.status === "error") await deleteMessage(tx, start.ownerId, start.replaces.id);
  const userMessage = "stored" in start.question ? start.question.stored : await insertMessage(tx, start.question.insert);
  if (!("stored" in start.question) && start.blobs) {
    const ids = attachmentIds(userMessage.parts);
    if (ids.length) await linkAttachments(tx, start.blobs, { ownerId: start.ownerId, threadId: start.threadId, messageId: userMessage.id, ids });
  }
  await insertMessage(tx, {
    id: start.messageId,
    ownerId: start.ownerId,
    threadId: start.threadId,
    parentId: userMessage.id,
    role: "assistant",
    parts: [],
    status: "streaming",
    profile: start.profile.name,
    modelId: start.profile.modelId,
  });
  await touchThread(tx, start.ownerId, start.threadId, { ...start.threadPatch, activeLeafId: start.messageId });
  if (start.promptUse) await recordPromptUse(tx, start.messageId, start.promptUse, start.now);
  return { generationId, userMessage };
}

/** A finished answer: its parts, outcome, usage and cost, and the generation's last events. */
export interface FinishedAnswer {
  ownerId: string;
  threadId: string;
  generationId: string;
  messageId: string;
  parts: Part[];
  status: Exclude<GenerationsTable["status"], "running">;
  usage: Usage;
  cost: string | null;
  /** What the same tokens would have cost without prompt caching (for the usage record). */
  uncachedCost: string | null;
  error: { code: string; message: string; retryable: boolean } | null;
  meta: MessageMeta;
  /** The usage record of the answer (who paid for which model), when it used tokens. */
  usageRecord: { profile: string; modelId: string; now: Date } | null;
  /** Events not yet in the log, `done` last, and the position of the first. */
  events: { firstSeq: number; payloads: unknown[] };
}

/**
 * The answer, the generation's end, the thread, the usage record, the tool calls (derived from the parts saved, so
 * no call is recorded for an answer that was not) and the last events, in one transaction.
 */
export async function saveFinishedAnswer(db: Db, answer: FinishedAnswer): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await updateMessage(tx, answer.ownerId, answer.messageId, { parts: answer.parts, status: answer.status, usage: answer.usage, cost: answer.cost, error: answer.error, meta: answer.meta, firstIndex: true });
    await finishGeneration(tx, answer.generationId, answer.status, answer.events.firstSeq + answer.events.payloads.length - 1);
    await touchThread(tx, answer.ownerId, answer.threadId);
    const { inputTokens, outputTokens, cacheReadInputTokens, cacheWriteInputTokens } = answer.usage;
    if (answer.usageRecord && inputTokens + outputTokens + cacheReadInputTokens + cacheWriteInputTokens > 0) {
      await recordUsage(
        tx,
        {
          userId: answer.ownerId,
          threadId: answer.threadId,
          kind: "answer",
          profile: answer.usageRecord.profile,
          modelId: answer.usageRecord.modelId,
          usage: answer.usage,
          cost: answer.cost,
          uncachedCost: answer.uncachedCost,
        },
        answer.usageRecord.now,
      );
    }
    await recordToolCalls(tx, { userId: answer.ownerId, threadId: answer.threadId, messageId: answer.messageId, generationId: answer.generationId, parts: answer.parts }, answer.usageRecord?.now ?? new Date());
    if (answer.events.payloads.length) await appendEvents(tx, answer.generationId, answer.events.firstSeq, answer.events.payloads);
  });
}

/** Progress of running answers: new events and partial parts, all in one transaction. */
export async function saveAnswerProgress(db: Db, batches: readonly { ownerId: string; generationId: string; messageId: string; firstSeq: number; events: unknown[]; parts: Part[] | undefined }[]): Promise<void> {
  await db.transaction().execute(async (tx) => {
    for (const batch of batches) {
      if (batch.events.length) await appendEvents(tx, batch.generationId, batch.firstSeq, batch.events);
      if (batch.parts) await updateMessage(tx, batch.ownerId, batch.messageId, { parts: batch.parts, status: "streaming" });
    }
  });
}

/** An answer left running by a process that died: saved as stopped with the parts it had, its generation ended. */
export async function stopOrphanedAnswer(db: Db, orphan: { id: string; ownerId: string; messageId: string }): Promise<void> {
  const message = await db.selectFrom("messages").select(["parts"]).where("id", "=", orphan.messageId).executeTakeFirst();
  if (message) await updateMessage(db, orphan.ownerId, orphan.messageId, { parts: JSON.parse(message.parts) as Part[], status: "stopped", firstIndex: true });
  await finishGeneration(db, orphan.id, "stopped");
}
