/** A user's MCP server as the API shows it (GET /api/mcp/servers): header values are never sent back. */
export interface McpServerInfo {
  id: string;
  name: string;
  url: string;
  enabled: boolean;
  askBeforeRunning: boolean;
  /** MCP tool names the user switched off. */
  disabledTools: string[];
  /** Names of the headers that are set (their values stay on the server, encrypted). */
  headers: string[];
  createdAt: string;
}

/** GET /api/mcp/servers/:id/tools: the server connected now, its tools, and the ones the model cannot take and why. */
export interface McpToolsReply {
  status: "connected" | "error";
  error: string | null;
  tools: { name: string; description: string; enabled: boolean }[];
  unavailable: { name: string; reason: string }[];
}
