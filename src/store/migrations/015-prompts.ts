import type { Kysely } from "kysely";

/**
 * System prompts kept and versioned (issue 13).
 * - `prompts`, `prompt_versions`: the local prompt store (PROMPT_STORE=local): a prompt with one mutable draft and
 *   immutable numbered versions. A unique name makes seeding idempotent across instances; a unique client token per
 *   prompt makes "publish" idempotent, as Bedrock's clientToken does.
 * - `prompt_pins`: which version of each profile's prompt is in use, for both stores (Bedrock has no pins).
 * - `thread_prompts`: the resolved text a thread took at its first turn, kept for all its turns.
 * - `prompt_uses`: which prompt version an answer used (for the per-version figures); goes with the answer.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("prompts")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull().unique())
    .addColumn("description", "text")
    .addColumn("draft_text", "text", (c) => c.notNull())
    /** The token the prompt was created with: the same create again returns it, another is a conflict. */
    .addColumn("client_token", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("prompt_versions")
    .addColumn("prompt_id", "text", (c) => c.notNull().references("prompts.id").onDelete("cascade"))
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("text", "text", (c) => c.notNull())
    .addColumn("description", "text")
    .addColumn("client_token", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("prompt_versions_pk", ["prompt_id", "version"])
    .execute();
  await db.schema.createIndex("prompt_versions_token").on("prompt_versions").columns(["prompt_id", "client_token"]).unique().execute();

  await db.schema
    .createTable("prompt_pins")
    /** "local" or "bedrock": the ids of one store mean nothing in the other. */
    .addColumn("store", "text", (c) => c.notNull())
    /** "default" or "profile:<name>". */
    .addColumn("prompt_key", "text", (c) => c.notNull())
    .addColumn("prompt_id", "text", (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addColumn("updated_by", "text")
    .addPrimaryKeyConstraint("prompt_pins_pk", ["store", "prompt_key"])
    .execute();

  await db.schema
    .createTable("thread_prompts")
    .addColumn("thread_id", "text", (c) => c.primaryKey().references("threads.id").onDelete("cascade"))
    .addColumn("owner_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("prompt_key", "text", (c) => c.notNull())
    .addColumn("prompt_id", "text", (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull())
    /** The text sent as the system prompt, variables already substituted. */
    .addColumn("text", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("prompt_uses")
    .addColumn("message_id", "text", (c) => c.primaryKey().references("messages.id").onDelete("cascade"))
    .addColumn("prompt_key", "text", (c) => c.notNull())
    .addColumn("prompt_id", "text", (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("prompt_uses_prompt").on("prompt_uses").columns(["prompt_id", "version"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ["prompt_uses", "thread_prompts", "prompt_pins", "prompt_versions", "prompts"]) await db.schema.dropTable(table).execute();
}
