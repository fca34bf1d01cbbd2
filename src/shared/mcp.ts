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
