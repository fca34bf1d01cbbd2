import type { Selectable } from "kysely";
import type { Db } from "./db.js";
import { isUniqueViolation } from "./errors.js";
import { isId, newId, nowIso } from "./ids.js";
import type { GenerationsTable } from "./schema.js";

export class ConflictError extends Error {
  override readonly name = "ConflictError";
}

export interface GenerationRow {
  id: string;
  threadId: string;
  messageId: string;
  status: GenerationsTable["status"];
  stopRequested: boolean;
  lastSeq: number;
}

/** Records a running generation; ConflictError when the thread already has one (a unique partial index). */
export async function createGeneration(db: Db, input: { ownerId: string; threadId: string; messageId: string; instanceId: string; now?: Date; reservedCost?: string | null }): Promise<string> {
  const id = newId();
  try {
    await db
      .insertInto("generations")
      .values({ id, owner_id: input.ownerId, thread_id: input.threadId, message_id: input.messageId, status: "running", instance_id: input.instanceId, started_at: (input.now ?? new Date()).toISOString(), heartbeat_at: (input.now ?? new Date()).toISOString(), finished_at: null, reserved_cost: input.reservedCost ?? null })
      .execute();
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError("This thread already has an answer being generated; stop it or wait for it to finish.");
    throw error;
  }
  return id;
}

function toGenerationRow(row: Selectable<GenerationsTable>): GenerationRow {
  return { id: row.id, threadId: row.thread_id, messageId: row.message_id, status: row.status, stopRequested: row.stop_requested === 1, lastSeq: row.last_seq };
}

export async function getGeneration(db: Db, owner: string, id: string): Promise<GenerationRow | undefined> {
  if (!isId(id)) return undefined;
  const row = await db.selectFrom("generations").selectAll().where("id", "=", id).where("owner_id", "=", owner).executeTakeFirst();
  return row && toGenerationRow(row);
}

export async function runningGeneration(db: Db, owner: string, threadId: string): Promise<GenerationRow | undefined> {
  const row = await db.selectFrom("generations").selectAll().where("thread_id", "=", threadId).where("owner_id", "=", owner).where("status", "=", "running").executeTakeFirst();
  return row && toGenerationRow(row);
}

export async function requestStop(db: Db, owner: string, id: string): Promise<boolean> {
  const result = await db.updateTable("generations").set({ stop_requested: 1 }).where("id", "=", id).where("owner_id", "=", owner).where("status", "=", "running").executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Which of these generations have a stop request recorded (by any instance). */
export async function stopRequestedAmong(db: Db, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom("generations").select("id").where("id", "in", ids).where("stop_requested", "=", 1).execute();
  return rows.map((r) => r.id);
}

export async function finishGeneration(db: Db, id: string, status: Exclude<GenerationsTable["status"], "running">, lastSeq?: number): Promise<void> {
  await db
    .updateTable("generations")
    .set({ status, finished_at: nowIso(), ...(lastSeq !== undefined ? { last_seq: lastSeq } : {}) })
    .where("id", "=", id)
    .execute();
}

/** Appends a batch of events (first..last sequence numbers); the rows themselves are the durable log. */
export async function appendEvents(db: Db, id: string, firstSeq: number, events: readonly unknown[]): Promise<void> {
  if (events.length === 0) return;
  const lastSeq = firstSeq + events.length - 1;
  await db.insertInto("generation_events").values({ generation_id: id, first_seq: firstSeq, last_seq: lastSeq, payload: JSON.stringify(events) }).execute();
}

/** Events after `afterSeq`, with their sequence numbers. */
export async function readEvents(db: Db, id: string, afterSeq: number): Promise<{ seq: number; event: unknown }[]> {
  const rows = await db.selectFrom("generation_events").selectAll().where("generation_id", "=", id).where("last_seq", ">", afterSeq).orderBy("first_seq").execute();
  const out: { seq: number; event: unknown }[] = [];
  for (const row of rows) {
    const events = JSON.parse(row.payload) as unknown[];
    events.forEach((event, i) => {
      const seq = row.first_seq + i;
      if (seq > afterSeq) out.push({ seq, event });
    });
  }
  return out;
}

/** Marks these generations alive now (the instance running them is). */
export async function heartbeat(db: Db, ids: readonly string[], now: Date): Promise<void> {
  if (ids.length === 0) return;
  await db.updateTable("generations").set({ heartbeat_at: now.toISOString() }).where("id", "in", ids).where("status", "=", "running").execute();
}

/** Running generations, all of them or only those whose heartbeat is older than `staleBefore`. */
export async function runningGenerations(db: Db, staleBefore?: Date): Promise<{ id: string; ownerId: string; messageId: string }[]> {
  let q = db.selectFrom("generations").select(["id", "owner_id", "message_id"]).where("status", "=", "running");
  if (staleBefore) q = q.where((eb) => eb.or([eb("heartbeat_at", "is", null), eb("heartbeat_at", "<", staleBefore.toISOString())]));
  const rows = await q.execute();
  return rows.map((r) => ({ id: r.id, ownerId: r.owner_id, messageId: r.message_id }));
}
