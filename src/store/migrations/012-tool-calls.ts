import type { Kysely } from "kysely";

/**
 * One row per MCP tool call of a saved answer, for the admin usage pages: who, where (thread, message, generation),
 * which server and tool, how long, whether it failed. Written with the answer, in its transaction. Like usage
 * records, rows go with the user and stay when a thread is deleted (the period's figures do not change).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("tool_calls")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("thread_id", "text", (c) => c.notNull())
    .addColumn("message_id", "text", (c) => c.notNull())
    .addColumn("generation_id", "text")
    /** The MCP server's name; null when the call's tool was not known (the model named a tool that is not offered). */
    .addColumn("server", "text")
    /** The MCP tool's own name (the model's name when the tool was not known). */
    .addColumn("tool", "text", (c) => c.notNull())
    .addColumn("duration_ms", "integer")
    /** "success" or "error" (a failure, a timeout, a stop), as the tool result says. */
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("tool_calls_user_created").on("tool_calls").columns(["user_id", "created_at"]).execute();
  await db.schema.createIndex("tool_calls_created").on("tool_calls").column("created_at").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("tool_calls").execute();
}
