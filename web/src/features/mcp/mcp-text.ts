import type { McpServerInfo, McpToolsReply, Profile } from "../../api/types.js";
import { t } from "../../i18n/index.js";

const MAX_REASON = 300;

/**
 * A server's or the API's reason for a failure in plain words: without the server's name (the dialog shows it
 * next to it), the request field (`body/url`), HTML error pages, and with the usual network failures said as what
 * to check. Anything else is kept as the server said it, shortened when very long.
 */
export function plainMcpError(message: string, serverName?: string): string {
  let text = message.trim();
  if (serverName && text.startsWith(`server ${serverName}: `)) text = text.slice(`server ${serverName}: `.length);
  else text = text.replace(/^server [^:]{1,80}: /, "");
  text = text.replace(/^(body|querystring|params)\/\w+ /, "");
  if (/<(!doctype|html|body|pre)\b/i.test(text)) text = text.replace(/<[^>]*>/g, " ");
  text = text.replace(/\s+/g, " ").trim();
  const known = knownFailure(text);
  if (known) return known;
  if (text.length > MAX_REASON) text = `${text.slice(0, MAX_REASON - 1).trimEnd()}…`;
  text = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?…]$/.test(text) ? text : `${text}.`;
}

function knownFailure(text: string): string | undefined {
  if (/ECONNREFUSED/.test(text)) return "Nothing answers at this address (connection refused). Check that the server is running and that the port is right.";
  if (/ENOTFOUND|EAI_AGAIN/.test(text)) return "The server's host name was not found. Check the address.";
  if (/bad port/i.test(text)) return "The address has a port that cannot be used. Check the address.";
  if (/ETIMEDOUT|UND_ERR_CONNECT_TIMEOUT|no answer within/.test(text)) return "The server did not answer in time. Check the address, or try again later.";
  if (/ECONNRESET|other side closed|UND_ERR_SOCKET/.test(text)) return "The server closed the connection. Check that the address is an MCP server, or try again.";
  if (/CERT|certificate|self[- ]signed/i.test(text)) return "The server's HTTPS certificate is not trusted.";
  if (/\bHTTP 401\b|\(HTTP 401\)/.test(text)) return "The server asks for sign-in (HTTP 401). Set its Authorization header (Replace headers), for example Bearer and a token.";
  if (/\bHTTP 403\b|\(HTTP 403\)/.test(text)) return "The server refused access (HTTP 403). Check the token in its headers.";
  if (/\bHTTP 404\b|\(404\)/.test(text)) return "The server answered 404 (not found). Check the address's path: MCP servers often use /mcp.";
  return undefined;
}

/**
 * Which chat profiles can use tools (`capabilities.tool`), said the short way (the few that can, or every one
 * but the few that cannot), and whether the current one can.
 */
export function toolProfilesNote(profiles: readonly Profile[], current: Profile): { profiles: string; current: string } {
  const can = profiles.filter((p) => p.capabilities.tool).map((p) => p.name);
  const cannot = profiles.filter((p) => !p.capabilities.tool).map((p) => p.name);
  const list = cannot.length === 0 ? t.mcpAllProfiles : can.length === 0 ? t.mcpNoProfiles : can.length <= cannot.length ? t.mcpProfilesWith(joinNames(can)) : t.mcpProfilesExcept(joinNames(cannot));
  return { profiles: list, current: current.capabilities.tool ? t.mcpCurrentCan(current.name) : t.mcpCurrentCannot(current.name) };
}

/** "A", "A and B", "A, B and C". */
export function joinNames(names: readonly string[]): string {
  if (names.length <= 1) return names.join("");
  return `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

/** A server's state in the dialog: its tools being listed (the server connects now), listed, or the request failed. */
export type ToolsState = { state: "connecting" } | { state: "loaded"; reply: McpToolsReply } | { state: "failed"; message: string };

/** The status line of a server: connecting, connected with N tools (and how many are off or not available), sign-in needed, or why not. */
export function statusLine(server: Pick<McpServerInfo, "name" | "disabledTools">, tools: ToolsState): { kind: "connecting" | "connected" | "error" | "signin"; text: string } {
  if (tools.state === "connecting") return { kind: "connecting", text: t.mcpConnecting };
  if (tools.state === "failed") return { kind: "error", text: t.mcpCannotConnect(plainMcpError(tools.message, server.name)) };
  const { reply } = tools;
  if (reply.status === "needs_sign_in") return { kind: "signin", text: t.mcpNeedsSignIn };
  if (reply.status === "error") return { kind: "error", text: t.mcpCannotConnect(plainMcpError(reply.error ?? "the server gave no reason", server.name)) };
  const names = new Set(reply.tools.map((tool) => tool.name));
  const off = server.disabledTools.filter((name) => names.has(name)).length;
  const extra = [...(off ? [t.mcpToolsOff(off)] : []), ...(reply.unavailable.length ? [t.mcpUnavailableCount(reply.unavailable.length)] : [])];
  return { kind: "connected", text: `${t.mcpConnected(reply.tools.length)}${extra.length ? ` (${extra.join(", ")})` : ""}` };
}

/**
 * The headers a user typed: the Authorization field, and other headers one per line as `Name: value`. Empty
 * fields give no header; a line without a name or a value is an error that says which line.
 */
export function parseHeaders(authorization: string, other: string): { headers: Record<string, string> } | { error: string } {
  const headers: Record<string, string> = {};
  if (authorization.trim()) headers["Authorization"] = authorization.trim();
  const lines = other.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "") continue;
    const colon = line.indexOf(":");
    const name = colon > 0 ? line.slice(0, colon).trim() : "";
    const value = colon > 0 ? line.slice(colon + 1).trim() : "";
    if (!name || !value) return { error: t.mcpHeaderLine(i + 1) };
    // The Authorization field wins over an Authorization line.
    if (!(name.toLowerCase() === "authorization" && headers["Authorization"] !== undefined)) headers[name] = value;
  }
  return { headers };
}

/** A server's tool list with a tool switched on or off (the list PATCH /api/mcp/servers/:id takes). */
export function withTool(disabled: readonly string[], tool: string, enabled: boolean): string[] {
  const rest = disabled.filter((name) => name !== tool);
  return enabled ? rest : [...rest, tool];
}
