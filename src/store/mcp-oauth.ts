import type { Selectable, Updateable } from "kysely";
import type { Db } from "./db.js";
import { isUniqueViolation } from "./errors.js";
import { isId } from "./ids.js";
import type { McpOAuthTable } from "./schema.js";

/**
 * The OAuth row of a user's MCP server (migration 011). Every query names the owner as well as the server, so
 * another user's ids find nothing. Values that are secrets arrive here already encrypted (src/server/mcp-oauth.ts).
 */

export type McpOAuthRow = Selectable<McpOAuthTable>;
type Patch = Omit<Updateable<McpOAuthTable>, "server_id" | "owner_id" | "created_at" | "token_version">;

export async function getOAuth(db: Db, ownerId: string, serverId: string): Promise<McpOAuthRow | undefined> {
  if (!isId(serverId)) return undefined;
  return db.selectFrom("mcp_oauth").selectAll().where("server_id", "=", serverId).where("owner_id", "=", ownerId).executeTakeFirst();
}

export async function listOAuth(db: Db, ownerId: string): Promise<Map<string, McpOAuthRow>> {
  const rows = await db.selectFrom("mcp_oauth").selectAll().where("owner_id", "=", ownerId).execute();
  return new Map(rows.map((row) => [row.server_id, row]));
}

/** Sets columns of the row, creating it first when the server has none (the server must be the owner's). */
export async function patchOAuth(db: Db, ownerId: string, serverId: string, patch: Patch, now = new Date()): Promise<void> {
  const at = now.toISOString();
  const updated = await db.updateTable("mcp_oauth").set({ ...patch, updated_at: at }).where("server_id", "=", serverId).where("owner_id", "=", ownerId).executeTakeFirst();
  if (Number(updated.numUpdatedRows) > 0) return;
  try {
    await db
      .insertInto("mcp_oauth")
      .values({ server_id: serverId, owner_id: ownerId, client_id: null, client_secret_encrypted: null, registration_encrypted: null, discovery: null, tokens_encrypted: null, pending_state_hash: null, pending_verifier_encrypted: null, pending_expires_at: null, created_at: at, ...patch, updated_at: at })
      .execute();
  } catch (error) {
    // Another request created it at the same moment: set the columns on that row.
    if (!isUniqueViolation(error)) throw error;
    await db.updateTable("mcp_oauth").set({ ...patch, updated_at: at }).where("server_id", "=", serverId).where("owner_id", "=", ownerId).execute();
  }
}

/**
 * Writes the tokens (sealed; null forgets them) if the row still holds version `expected` (compare-and-swap),
 * or whatever it holds when `expected` is undefined (a new sign-in replaces any tokens). True when written.
 */
export async function writeTokens(db: Db, ownerId: string, serverId: string, sealed: string | null, expected: number | undefined, now = new Date()): Promise<boolean> {
  let query = db
    .updateTable("mcp_oauth")
    .set((eb) => ({ tokens_encrypted: sealed, token_version: eb("token_version", "+", 1), updated_at: now.toISOString() }))
    .where("server_id", "=", serverId)
    .where("owner_id", "=", ownerId);
  if (expected !== undefined) query = query.where("token_version", "=", expected);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * Takes the pending sign-in whose state hashes to `stateHash`, if it is the owner's: at most once (a second
 * callback with the same state finds nothing). Returns the row as it was.
 */
export async function takePending(db: Db, ownerId: string, stateHash: string, now = new Date()): Promise<McpOAuthRow | undefined> {
  const row = await db.selectFrom("mcp_oauth").selectAll().where("pending_state_hash", "=", stateHash).where("owner_id", "=", ownerId).executeTakeFirst();
  if (!row) return undefined;
  const taken = await db
    .updateTable("mcp_oauth")
    .set({ pending_state_hash: null, pending_verifier_encrypted: null, pending_expires_at: null, updated_at: now.toISOString() })
    .where("server_id", "=", row.server_id)
    .where("owner_id", "=", ownerId)
    .where("pending_state_hash", "=", stateHash)
    .executeTakeFirst();
  return Number(taken.numUpdatedRows) > 0 ? row : undefined;
}
