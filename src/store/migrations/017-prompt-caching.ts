import { sql, type Kysely } from "kysely";

/**
 * Prompt caching (issue 15). Answers already had `cache_read_tokens` and `cache_write_tokens`; they gain the 1-hour
 * share of the writes (Bedrock's `cacheDetails`; the rest was written for 5 minutes). Usage records gain the same
 * three counts and `uncached_cost`: what the same tokens would have cost without caching (every cache token at the
 * input price), exact decimal text, for the admin usage page. Records written before caching used none, so their
 * uncached cost is their cost.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("messages").addColumn("cache_write_1h_tokens", "integer", (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable("usage_records").addColumn("cache_read_tokens", "integer", (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable("usage_records").addColumn("cache_write_tokens", "integer", (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable("usage_records").addColumn("cache_write_1h_tokens", "integer", (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable("usage_records").addColumn("uncached_cost", "text").execute();
  await sql`UPDATE usage_records SET uncached_cost = cost`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("usage_records").dropColumn("uncached_cost").execute();
  await db.schema.alterTable("usage_records").dropColumn("cache_write_1h_tokens").execute();
  await db.schema.alterTable("usage_records").dropColumn("cache_write_tokens").execute();
  await db.schema.alterTable("usage_records").dropColumn("cache_read_tokens").execute();
  await db.schema.alterTable("messages").dropColumn("cache_write_1h_tokens").execute();
}
