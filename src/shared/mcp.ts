/** A user's MCP server as the API shows it (GET /api/mcp/servers): header values are never sent back. */
export interface McpServerInfo {
  id: string;
  name: string;
  /** The server's URL; for a listed server what the admin's list says of it; for a program its command line. */
  url: string;
  /** "user": added by URL; "listed": switched on from the admin's list; "stdio": a program on this machine (AUTH_MODE=none). */
  source: "user" | "listed" | "stdio";
  enabled: boolean;
  askBeforeRunning: boolean;
  /** MCP tool names the user switched off. */
  disabledTools: string[];
  /** Names of the headers that are set (their values stay on the server, encrypted). */
  headers: string[];
  /** OAuth sign-in (servers that answer 401 and name an authorization server). */
  oauth: McpOAuthInfo;
  createdAt: string;
}

/**
 * What Disconnect did with the server's tokens, besides forgetting them: the authorization server revoked them
 * (RFC 7009), it offers no revocation (they end when they expire), asking it failed (`problem` says why), or none
 * were stored.
 */
export type McpRevocation = "revoked" | "not_offered" | "failed" | "nothing_stored";

/** DELETE /api/mcp/servers/:id/oauth. */
export interface McpDisconnectReply {
  revocation: McpRevocation;
  problem?: string;
}

/** A server's OAuth as the API shows it: never a token or the client secret, only whether they are stored. */
export interface McpOAuthInfo {
  /** Tokens are stored for this user and server ("Disconnect" forgets them). */
  signedIn: boolean;
  /** The client id entered for an authorization server without dynamic registration (null: none, the app registers itself). */
  clientId: string | null;
  /** Whether a client secret is stored (encrypted) with it. */
  clientSecret: boolean;
}

/** GET /api/mcp/servers/:id/tools: the server connected now, its tools, and the ones the model cannot take and why. */
export interface McpToolsReply {
  /** `needs_sign_in`: the server wants OAuth and has no usable tokens for this user (POST .../oauth/start signs in). */
  status: "connected" | "error" | "needs_sign_in";
  error: string | null;
  /** `readOnly`: the tool says it only reads (MCP's readOnlyHint): it runs without asking unless asked to. */
  tools: { name: string; description: string; enabled: boolean; readOnly: boolean }[];
  unavailable: { name: string; reason: string }[];
}

/** A user's decision about one tool (GET /api/mcp/tool-permissions): "allow" runs it without asking, "ask" asks although it only reads. */
export interface ToolPermissionInfo {
  serverId: string;
  /** The MCP tool name. */
  tool: string;
  permission: "allow" | "ask";
}

/** GET /api/mcp/catalog: the servers the admin offers (MCP_SERVERS_FILE), and whether this user may add programs. */
export interface McpCatalog {
  servers: { name: string; description: string | null; transport: "stdio" | "http"; where: string; added: boolean }[];
  /** AUTH_MODE=none: the one person on this machine may add stdio programs themselves. */
  programsAllowed: boolean;
}
