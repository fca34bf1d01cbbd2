import type { Kysely } from "kysely";

/**
 * What a user decided about single tools of their MCP servers: "allow" (Always allow: it runs without asking) or
 * "ask" (ask even though the tool says it only reads). Removed with the server or the user.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("tool_permissions")
    .addColumn("server_id", "text", (c) => c.notNull().references("mcp_servers.id").onDelete("cascade"))
    .addColumn("owner_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    /** The MCP tool name (not the name the model sees). */
    .addColumn("tool", "text", (c) => c.notNull())
    .addColumn("permission", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("tool_permissions_pk", ["server_id", "tool"])
    .execute();
  await db.schema.createIndex("tool_permissions_owner").on("tool_permissions").column("owner_id").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("tool_permissions").execute();
}
