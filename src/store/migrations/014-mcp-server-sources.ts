import type { Kysely } from "kysely";

/**
 * Where a user's MCP server comes from: added by the user by URL ("user"), switched on from the admin's list
 * (MCP_SERVERS_FILE, "listed": the file says how to connect; `url` only describes it), or a program on the user's
 * own machine (AUTH_MODE=none only, "stdio": its command, arguments and environment encrypted in `stdio_encrypted`).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("mcp_servers").addColumn("source", "text", (c) => c.notNull().defaultTo("user")).execute();
  await db.schema.alterTable("mcp_servers").addColumn("stdio_encrypted", "text").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("mcp_servers").dropColumn("stdio_encrypted").execute();
  await db.schema.alterTable("mcp_servers").dropColumn("source").execute();
}
