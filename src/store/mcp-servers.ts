import type { Selectable } from "kysely";
import type { McpOAuthInfo, McpServerInfo } from "../shared/mcp.js";
import type { Db } from "./db.js";
import { isUniqueViolation } from "./errors.js";
import { isId, newId } from "./ids.js";
import type { McpServersTable } from "./schema.js";

export type McpServerRow = Selectable<McpServersTable>;

/** A name already used by another of the user's servers. */
export class DuplicateServerError extends Error {
  override readonly name = "DuplicateServerError";
}

/** What the browser sees of a server: never the headers' values, only that they are set and their names. */
export function toServerInfo(row: McpServerRow, headerNames: string[], oauth: McpOAuthInfo = { signedIn: false, clientId: null, clientSecret: false }): McpServerInfo {
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    source: row.source,
    enabled: row.enabled === 1,
    askBeforeRunning: row.ask_before_running === 1,
    disabledTools: JSON.parse(row.disabled_tools) as string[],
    headers: headerNames,
    oauth,
    createdAt: row.created_at,
  };
}

export async function listServers(db: Db, ownerId: string): Promise<McpServerRow[]> {
  return db.selectFrom("mcp_servers").selectAll().where("owner_id", "=", ownerId).orderBy("name").execute();
}

export async function getServer(db: Db, ownerId: string, id: string): Promise<McpServerRow | undefined> {
  if (!isId(id)) return undefined;
  return db.selectFrom("mcp_servers").selectAll().where("id", "=", id).where("owner_id", "=", ownerId).executeTakeFirst();
}

/**
 * Adds one of the user's servers: by URL (`source` "user"), from the admin's list ("listed": `url` describes it),
 * or a program on the user's machine ("stdio": how to run it, encrypted).
 */
export async function addServer(
  db: Db,
  ownerId: string,
  input: { id?: string; name: string; url: string; headersEncrypted: string | null; source?: McpServerRow["source"]; stdioEncrypted?: string | null },
  now = new Date(),
): Promise<McpServerRow> {
  const row = {
    id: input.id ?? newId(),
    owner_id: ownerId,
    name: input.name,
    url: input.url,
    headers_encrypted: input.headersEncrypted,
    enabled: 1,
    ask_before_running: 1,
    disabled_tools: "[]",
    source: input.source ?? ("user" as const),
    stdio_encrypted: input.stdioEncrypted ?? null,
    created_at: now.toISOString(),
    updated_at: now.toISOString(),
  };
  try {
    await db.insertInto("mcp_servers").values(row).execute();
  } catch (error) {
    if (isUniqueViolation(error)) throw new DuplicateServerError(`You already have a server named "${input.name}". Choose another name.`);
    throw error;
  }
  return row;
}

export interface ServerPatch {
  enabled?: boolean | undefined;
  askBeforeRunning?: boolean | undefined;
  disabledTools?: string[] | undefined;
  /** Replaces the headers (encrypted); null removes them. */
  headersEncrypted?: string | null | undefined;
}

export async function updateServer(db: Db, ownerId: string, id: string, patch: ServerPatch, now = new Date()): Promise<McpServerRow | undefined> {
  const set = {
    ...(patch.enabled !== undefined ? { enabled: patch.enabled ? 1 : 0 } : {}),
    ...(patch.askBeforeRunning !== undefined ? { ask_before_running: patch.askBeforeRunning ? 1 : 0 } : {}),
    ...(patch.disabledTools !== undefined ? { disabled_tools: JSON.stringify([...new Set(patch.disabledTools)].sort()) } : {}),
    ...(patch.headersEncrypted !== undefined ? { headers_encrypted: patch.headersEncrypted } : {}),
    updated_at: now.toISOString(),
  };
  await db.updateTable("mcp_servers").set(set).where("id", "=", id).where("owner_id", "=", ownerId).execute();
  return getServer(db, ownerId, id);
}

export async function removeServer(db: Db, ownerId: string, id: string): Promise<boolean> {
  if (!isId(id)) return false;
  const result = await db.deleteFrom("mcp_servers").where("id", "=", id).where("owner_id", "=", ownerId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
