import type { Kysely } from "kysely";

/**
 * OAuth for a user's MCP server (the MCP authorization spec), one row per server: the client the user entered
 * (client id, and the secret encrypted) or the one the app registered itself (dynamic client registration,
 * encrypted), the discovered metadata (public), the tokens (encrypted) with a version for compare-and-swap
 * refreshes, and the one pending sign-in (a hash of its state, the PKCE verifier encrypted, when it expires).
 * Removed with the server or the user.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("mcp_oauth")
    .addColumn("server_id", "text", (c) => c.primaryKey().references("mcp_servers.id").onDelete("cascade"))
    .addColumn("owner_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    /** Entered by the user for an authorization server without dynamic registration (not a secret: shown). */
    .addColumn("client_id", "text")
    .addColumn("client_secret_encrypted", "text")
    /** JSON of the dynamic registration's answer (client id and secret), encrypted. */
    .addColumn("registration_encrypted", "text")
    /** JSON of the discovered resource and authorization server metadata (public documents). */
    .addColumn("discovery", "text")
    /** JSON of the tokens, encrypted; null when not signed in. */
    .addColumn("tokens_encrypted", "text")
    /** Incremented on every token write: a write says which version it replaces (compare-and-swap). */
    .addColumn("token_version", "integer", (c) => c.notNull().defaultTo(0))
    /** SHA-256 (hex) of the pending sign-in's state; the state itself is only in the browser's URL. */
    .addColumn("pending_state_hash", "text")
    .addColumn("pending_verifier_encrypted", "text")
    .addColumn("pending_expires_at", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("mcp_oauth_owner").on("mcp_oauth").column("owner_id").execute();
  await db.schema.createIndex("mcp_oauth_pending_state").on("mcp_oauth").column("pending_state_hash").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("mcp_oauth").execute();
}
