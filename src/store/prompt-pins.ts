import { sumAmounts } from "../engine/cost.js";
import type { PromptVersionStats } from "../shared/prompts.js";
import type { Db } from "./db.js";

/** The version in use of one prompt key, in one store. */
export interface PromptPin {
  promptId: string;
  version: number;
  updatedAt: string;
  updatedBy: string | null;
}

export async function getPin(db: Db, store: string, key: string): Promise<PromptPin | undefined> {
  const row = await db.selectFrom("prompt_pins").selectAll().where("store", "=", store).where("prompt_key", "=", key).executeTakeFirst();
  return row && { promptId: row.prompt_id, version: row.version, updatedAt: row.updated_at, updatedBy: row.updated_by };
}

/** The first pin of a key (seeding): an existing pin is never replaced, so instances starting together agree. */
export async function seedPin(db: Db, store: string, key: string, pin: { promptId: string; version: number }, now: Date): Promise<PromptPin> {
  await db
    .insertInto("prompt_pins")
    .values({ store, prompt_key: key, prompt_id: pin.promptId, version: pin.version, updated_at: now.toISOString(), updated_by: null })
    .onConflict((oc) => oc.columns(["store", "prompt_key"]).doNothing())
    .execute();
  return (await getPin(db, store, key))!;
}

/** Publish and Roll back: the key now uses this version. */
export async function setPin(db: Db, store: string, key: string, pin: { promptId: string; version: number }, actorId: string | null, now: Date): Promise<void> {
  await db
    .insertInto("prompt_pins")
    .values({ store, prompt_key: key, prompt_id: pin.promptId, version: pin.version, updated_at: now.toISOString(), updated_by: actorId })
    .onConflict((oc) => oc.columns(["store", "prompt_key"]).doUpdateSet({ prompt_id: pin.promptId, version: pin.version, updated_at: now.toISOString(), updated_by: actorId }))
    .execute();
}

/** The resolved prompt a thread took at its first turn. */
export interface ThreadPrompt {
  key: string;
  promptId: string;
  version: number;
  text: string;
  createdAt: string;
}

export async function getThreadPrompt(db: Db, ownerId: string, threadId: string): Promise<ThreadPrompt | undefined> {
  const row = await db.selectFrom("thread_prompts").selectAll().where("thread_id", "=", threadId).where("owner_id", "=", ownerId).executeTakeFirst();
  return row && { key: row.prompt_key, promptId: row.prompt_id, version: row.version, text: row.text, createdAt: row.created_at };
}

/**
 * Keeps the resolved prompt with the thread. `replace` (a profile switch, "Use the latest prompt") overwrites;
 * otherwise the first one stays, so two turns racing at the start agree on one text. Returns what the thread keeps.
 */
export async function keepThreadPrompt(db: Db, ownerId: string, threadId: string, prompt: Omit<ThreadPrompt, "createdAt">, now: Date, replace: boolean): Promise<ThreadPrompt> {
  const values = { thread_id: threadId, owner_id: ownerId, prompt_key: prompt.key, prompt_id: prompt.promptId, version: prompt.version, text: prompt.text, created_at: now.toISOString() };
  await db
    .insertInto("thread_prompts")
    .values(values)
    .onConflict((oc) => (replace ? oc.column("thread_id").doUpdateSet({ prompt_key: values.prompt_key, prompt_id: values.prompt_id, version: values.version, text: values.text, created_at: values.created_at }) : oc.column("thread_id").doNothing()))
    .execute();
  return (await getThreadPrompt(db, ownerId, threadId))!;
}

/** Records which prompt version an answer used. The answer's row exists already (it is made when the answer starts). */
export async function recordPromptUse(db: Db, messageId: string, use: { key: string; promptId: string; version: number }, now: Date): Promise<void> {
  await db
    .insertInto("prompt_uses")
    .values({ message_id: messageId, prompt_key: use.key, prompt_id: use.promptId, version: use.version, created_at: now.toISOString() })
    .onConflict((oc) => oc.column("message_id").doNothing())
    .execute();
}

/** Per version of one prompt: answers, their tokens and their total cost (answers of deleted chats no longer count). */
export async function promptVersionStats(db: Db, promptId: string): Promise<Map<number, PromptVersionStats>> {
  const rows = await db
    .selectFrom("prompt_uses")
    .innerJoin("messages", "messages.id", "prompt_uses.message_id")
    .select(["prompt_uses.version", "messages.input_tokens", "messages.output_tokens", "messages.cost"])
    .where("prompt_uses.prompt_id", "=", promptId)
    .execute();
  const grouped = new Map<number, { answers: number; inputTokens: number; outputTokens: number; costs: string[] }>();
  for (const row of rows) {
    const entry = grouped.get(row.version) ?? { answers: 0, inputTokens: 0, outputTokens: 0, costs: [] };
    entry.answers += 1;
    entry.inputTokens += Number(row.input_tokens);
    entry.outputTokens += Number(row.output_tokens);
    if (row.cost !== null) entry.costs.push(row.cost);
    grouped.set(row.version, entry);
  }
  return new Map([...grouped].map(([version, e]) => [version, { answers: e.answers, inputTokens: e.inputTokens, outputTokens: e.outputTokens, cost: sumAmounts(e.costs).total }]));
}

/** The thread takes its prompt again at its next turn. */
export async function forgetThreadPrompt(db: Db, ownerId: string, threadId: string): Promise<void> {
  await db.deleteFrom("thread_prompts").where("thread_id", "=", threadId).where("owner_id", "=", ownerId).execute();
}
