import { sql, type Kysely } from "kysely";

/** Accounts: passwords or OpenID identities, lockout, per-user limits; sessions, setup tokens, usage and audit log. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("users").addColumn("password_hash", "text").execute();
  await db.schema.alterTable("users").addColumn("oidc_issuer", "text").execute();
  await db.schema.alterTable("users").addColumn("oidc_subject", "text").execute();
  await db.schema.alterTable("users").addColumn("failed_logins", "integer", (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable("users").addColumn("first_failed_at", "text").execute();
  await db.schema.alterTable("users").addColumn("locked_until", "text").execute();
  await db.schema.alterTable("users").addColumn("last_login_at", "text").execute();
  /** Monthly spending cap in USD (exact decimal text); null: the server default. */
  await db.schema.alterTable("users").addColumn("monthly_cap", "text").execute();
  /** Generations per minute; null: the server default. */
  await db.schema.alterTable("users").addColumn("rate_per_minute", "integer").execute();
  await db.schema.createIndex("users_oidc_identity").on("users").columns(["oidc_issuer", "oidc_subject"]).unique().execute();

  await db.schema
    .createTable("sessions")
    .addColumn("token_hash", "text", (c) => c.primaryKey())
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("expires_at", "text", (c) => c.notNull())
    .addColumn("user_agent", "text")
    /** For OpenID logout: the provider's id token, sent as id_token_hint. */
    .addColumn("id_token", "text")
    .execute();
  await db.schema.createIndex("sessions_user").on("sessions").column("user_id").execute();

  await db.schema
    .createTable("setup_tokens")
    .addColumn("token_hash", "text", (c) => c.primaryKey())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("usage_records")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("thread_id", "text")
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("profile", "text")
    .addColumn("model_id", "text", (c) => c.notNull())
    .addColumn("input_tokens", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("output_tokens", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("cost", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("usage_records_user_created").on("usage_records").columns(["user_id", "created_at"]).execute();
  await db.schema.createIndex("usage_records_created").on("usage_records").column("created_at").execute();

  await db.schema
    .createTable("audit_log")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("actor_id", "text")
    .addColumn("action", "text", (c) => c.notNull())
    .addColumn("target_id", "text")
    .addColumn("detail", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("audit_log_created").on("audit_log").column("created_at").execute();

  // Rate limits count a user's recent generations.
  // Thread titles are searched through the same index as message text (before: a LIKE over titles).
  await sql`INSERT INTO message_search (message_id, thread_id, owner_id, body) SELECT 'title:' || id, id, owner_id, lower(title) FROM threads`.execute(db);

  await db.schema.createIndex("generations_owner_started").on("generations").columns(["owner_id", "started_at"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ["audit_log", "usage_records", "setup_tokens", "sessions"]) await db.schema.dropTable(table).execute();
  await db.schema.dropIndex("generations_owner_started").execute();
  await db.schema.dropIndex("users_oidc_identity").execute();
  for (const column of ["password_hash", "oidc_issuer", "oidc_subject", "failed_logins", "first_failed_at", "locked_until", "last_login_at", "monthly_cap", "rate_per_minute"]) {
    await db.schema.alterTable("users").dropColumn(column).execute();
  }
}
