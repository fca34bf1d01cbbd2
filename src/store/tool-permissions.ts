import type { Db } from "./db.js";

/** "allow": runs without asking (Always allow); "ask": asks although the tool declares it only reads. */
export type ToolPermission = "allow" | "ask";

/** The user's decisions about single tools, keyed by server id, then MCP tool name. */
export async function listToolPermissions(db: Db, ownerId: string): Promise<Map<string, Map<string, ToolPermission>>> {
  const rows = await db.selectFrom("tool_permissions").select(["server_id", "tool", "permission"]).where("owner_id", "=", ownerId).execute();
  const byServer = new Map<string, Map<string, ToolPermission>>();
  for (const row of rows) {
    let tools = byServer.get(row.server_id);
    if (!tools) byServer.set(row.server_id, (tools = new Map()));
    tools.set(row.tool, row.permission);
  }
  return byServer;
}

/**
 * Sets (or with null, clears) the user's decision about one tool of one of their servers. False when the server
 * is not theirs: nothing is written.
 */
export async function setToolPermission(db: Db, ownerId: string, serverId: string, tool: string, permission: ToolPermission | null, now = new Date()): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const server = await tx.selectFrom("mcp_servers").select("id").where("id", "=", serverId).where("owner_id", "=", ownerId).executeTakeFirst();
    if (!server) return false;
    await tx.deleteFrom("tool_permissions").where("server_id", "=", serverId).where("tool", "=", tool).execute();
    if (permission) await tx.insertInto("tool_permissions").values({ server_id: serverId, owner_id: ownerId, tool, permission, created_at: now.toISOString() }).execute();
    return true;
  });
}
