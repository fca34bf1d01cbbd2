import { sumAmounts } from "../engine/cost.js";
import type { Usage } from "../engine/types.js";
import type { Db } from "./db.js";
import { newId } from "./ids.js";
import type { UsageRow } from "../shared/accounts.js";
import type { UsageRecordsTable } from "./schema.js";

export interface UsageInput {
  userId: string;
  threadId: string | null;
  kind: UsageRecordsTable["kind"];
  profile: string | null;
  modelId: string;
  /** The tokens, cache reads and writes (and the 1-hour share of the writes) included. */
  usage: Usage;
  cost: string | null;
  /** What the same tokens would have cost without prompt caching (engine/cost.ts uncachedCostOf). */
  uncachedCost: string | null;
}

/** Records one paid model call. */
export async function recordUsage(db: Db, usage: UsageInput, now = new Date()): Promise<void> {
  await db
    .insertInto("usage_records")
    .values({
      id: newId(now.getTime()),
      user_id: usage.userId,
      thread_id: usage.threadId,
      kind: usage.kind,
      profile: usage.profile,
      model_id: usage.modelId,
      input_tokens: usage.usage.inputTokens,
      output_tokens: usage.usage.outputTokens,
      cache_read_tokens: usage.usage.cacheReadInputTokens,
      cache_write_tokens: usage.usage.cacheWriteInputTokens,
      cache_write_1h_tokens: usage.usage.cacheWrite1hInputTokens,
      cost: usage.cost,
      uncached_cost: usage.uncachedCost,
      created_at: now.toISOString(),
    })
    .execute();
}

/** The first instant of the calendar month (UTC) that contains `now`. */
export function monthStart(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
}

/** What a user has spent since `since`, exact decimal text. */
export async function spentSince(db: Db, userId: string, since: Date): Promise<string> {
  const rows = await db.selectFrom("usage_records").select("cost").where("user_id", "=", userId).where("created_at", ">=", since.toISOString()).where("cost", "is not", null).execute();
  return sumAmounts(rows.map((r) => r.cost!)).total;
}

/** The worst-case cost reserved by a user's running generations (exact decimal text). */
export async function reservedByRunning(db: Db, userId: string): Promise<string> {
  const rows = await db.selectFrom("generations").select("reserved_cost").where("owner_id", "=", userId).where("status", "=", "running").where("reserved_cost", "is not", null).execute();
  return sumAmounts(rows.map((r) => r.reserved_cost!)).total;
}

/** What admitting one more answer needs to know about a user, read in one statement (it runs on every start). */
export interface AdmissionFacts {
  /** Generations the user started since `since` (counted in the database, so across instances). */
  recent: number;
  /** The account's own limits; null: the server's defaults. */
  ratePerMinute: number | null;
  monthlyCap: string | null;
}

export async function admissionFacts(db: Db, userId: string, since: Date): Promise<AdmissionFacts> {
  const row = await db
    .selectFrom("generations")
    .select((eb) => [
      eb.fn.countAll<string | number>().as("n"),
      eb.selectFrom("users").select("rate_per_minute").where("id", "=", userId).as("rate_per_minute"),
      eb.selectFrom("users").select("monthly_cap").where("id", "=", userId).as("monthly_cap"),
    ])
    .where("owner_id", "=", userId)
    .where("started_at", ">=", since.toISOString())
    .executeTakeFirstOrThrow();
  return { recent: Number(row.n), ratePerMinute: row.rate_per_minute ?? null, monthlyCap: row.monthly_cap ?? null };
}

export type { UsageRow };

/** Usage per day, user and model since `since` (exact cost sums, with and without caching). */
export async function usageReport(db: Db, since: Date): Promise<UsageRow[]> {
  const rows = await db
    .selectFrom("usage_records")
    .leftJoin("users", "users.id", "usage_records.user_id")
    .select([
      "usage_records.user_id",
      "users.email",
      "usage_records.model_id",
      "usage_records.input_tokens",
      "usage_records.output_tokens",
      "usage_records.cache_read_tokens",
      "usage_records.cache_write_tokens",
      "usage_records.cache_write_1h_tokens",
      "usage_records.cost",
      "usage_records.uncached_cost",
      "usage_records.created_at",
    ])
    .where("usage_records.created_at", ">=", since.toISOString())
    .execute();
  const groups = new Map<string, UsageRow & { costs: string[]; uncachedCosts: string[] }>();
  for (const r of rows) {
    const day = r.created_at.slice(0, 10);
    const key = `${day}\u0000${r.user_id}\u0000${r.model_id}`;
    let group = groups.get(key);
    if (!group) {
      group = { day, userId: r.user_id, email: r.email, modelId: r.model_id, calls: 0, inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, cacheWrite1hTokens: 0, cost: "0", uncachedCost: "0", costs: [], uncachedCosts: [] };
      groups.set(key, group);
    }
    group.calls += 1;
    group.inputTokens += r.input_tokens;
    group.outputTokens += r.output_tokens;
    group.cacheReadTokens += r.cache_read_tokens;
    group.cacheWriteTokens += r.cache_write_tokens;
    group.cacheWrite1hTokens += r.cache_write_1h_tokens;
    if (r.cost !== null) group.costs.push(r.cost);
    // A record without a price has neither figure; one with a cost has both (migration 017 filled in the old ones).
    if (r.cost !== null) group.uncachedCosts.push(r.uncached_cost ?? r.cost);
  }
  return [...groups.values()]
    .map(({ costs, uncachedCosts, ...row }) => ({ ...row, cost: sumAmounts(costs).total, uncachedCost: sumAmounts(uncachedCosts).total }))
    .sort((a, b) => a.day.localeCompare(b.day) || (a.email ?? "").localeCompare(b.email ?? "") || a.modelId.localeCompare(b.modelId));
}
