import { sql, type Kysely } from "kysely";

/**
 * Security fixes of the review (issue 8):
 * - `login_attempts`: sign-in and password-change attempts are claimed atomically, keyed by what is tried (the
 *   normalized email, known or unknown, or the account of a password change), before the password is checked. It
 *   replaces the per-account counters on `users`, which parallel attempts overwrote.
 * - setup tokens expire, and one slot holds at most one (a unique index), so two instances starting together keep
 *   one link between them. Tokens from before this migration never expired: they are removed.
 * - generations reserve their worst-case cost while they run (spending caps count it until the answer settles).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("login_attempts")
    .addColumn("key", "text", (c) => c.primaryKey())
    .addColumn("attempts", "integer", (c) => c.notNull())
    .addColumn("window_started_at", "text", (c) => c.notNull())
    .addColumn("locked_until", "text")
    .execute();
  for (const column of ["failed_logins", "first_failed_at", "locked_until"]) await db.schema.alterTable("users").dropColumn(column).execute();

  await sql`DELETE FROM setup_tokens`.execute(db);
  await db.schema.alterTable("setup_tokens").addColumn("expires_at", "text", (c) => c.notNull().defaultTo("")).execute();
  await db.schema.alterTable("setup_tokens").addColumn("slot", "integer", (c) => c.notNull().defaultTo(1)).execute();
  await db.schema.createIndex("setup_tokens_one").on("setup_tokens").column("slot").unique().execute();

  await db.schema.alterTable("generations").addColumn("reserved_cost", "text").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("generations").dropColumn("reserved_cost").execute();
  await db.schema.dropIndex("setup_tokens_one").execute();
  await db.schema.alterTable("setup_tokens").dropColumn("slot").execute();
  await db.schema.alterTable("setup_tokens").dropColumn("expires_at").execute();
  await db.schema.alterTable("users").addColumn("failed_logins", "integer", (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable("users").addColumn("first_failed_at", "text").execute();
  await db.schema.alterTable("users").addColumn("locked_until", "text").execute();
  await db.schema.dropTable("login_attempts").execute();
}
