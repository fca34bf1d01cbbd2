import type { Kysely } from "kysely";

/**
 * Each user's MCP servers (Streamable HTTP, with SSE as fallback): the URL, headers encrypted at rest
 * (src/secrets), whether it is on, whether tools ask before running, and tools switched off.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("mcp_servers")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("owner_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("url", "text", (c) => c.notNull())
    /** JSON object of header names and values, encrypted (never sent back to the browser). */
    .addColumn("headers_encrypted", "text")
    .addColumn("enabled", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("ask_before_running", "integer", (c) => c.notNull().defaultTo(1))
    /** JSON array of MCP tool names the user switched off. */
    .addColumn("disabled_tools", "text", (c) => c.notNull().defaultTo("[]"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("mcp_servers_owner_name").on("mcp_servers").columns(["owner_id", "name"]).unique().execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("mcp_servers").execute();
}
