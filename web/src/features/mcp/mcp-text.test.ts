import { describe, expect, it } from "vitest";
import type { McpToolsReply, Profile } from "../../api/types.js";
import { joinNames, parseHeaders, plainMcpError, statusLine, toolProfilesNote, withTool } from "./mcp-text.js";

const profile = (name: string, tool: boolean) => ({ name, capabilities: { tool } }) as unknown as Profile;

describe("plainMcpError", () => {
  it("drops the server's name and the request field, and ends as a sentence", () => {
    expect(plainMcpError("server docs: listing its tools failed: boom", "docs")).toBe("Listing its tools failed: boom.");
    expect(plainMcpError("body/url expected the server's http:// or https:// address, such as https://example.com/mcp")).toBe("Expected the server's http:// or https:// address, such as https://example.com/mcp.");
    expect(plainMcpError('You already have a server named "a". Choose another name.')).toBe('You already have a server named "a". Choose another name.');
  });
  it("says the usual network failures as what to check", () => {
    expect(plainMcpError("server down: fetch failed (ECONNREFUSED)", "down")).toMatch(/^Nothing answers at this address/);
    expect(plainMcpError("server x: fetch failed (ENOTFOUND)", "x")).toMatch(/host name was not found/);
    expect(plainMcpError("server x: fetch failed (bad port)", "x")).toMatch(/port that cannot be used/);
    expect(plainMcpError("server x: no answer within 15 s", "x")).toMatch(/did not answer in time/);
    expect(plainMcpError("server x: the server asks for sign-in (HTTP 401): Unauthorized", "x")).toMatch(/asks for sign-in \(HTTP 401\)\. Set its Authorization header/);
  });
  it("an HTML error page becomes a 404 hint, not markup", () => {
    const text = plainMcpError('server w: HTTP 404: Error POSTing to endpoint: <!DOCTYPE html>\n<html lang="en"><body><pre>Cannot POST /nope</pre></body></html>; the legacy SSE transport failed too: SSE error: Non-200 status code (404)', "w");
    expect(text).toBe("The server answered 404 (not found). Check the address's path: MCP servers often use /mcp.");
  });
  it("a long reason is shortened", () => {
    const text = plainMcpError(`refused: ${"x".repeat(1000)}`);
    expect(text.length).toBeLessThanOrEqual(300);
    expect(text.endsWith("…")).toBe(true);
  });
});

describe("toolProfilesNote", () => {
  it("names the few that can, or every one but the few that cannot, and the current one", () => {
    const a = profile("A", true);
    const b = profile("B", true);
    const c = profile("C", false);
    expect(toolProfilesNote([a, b, c], a)).toEqual({ profiles: "Every chat profile can use tools except C.", current: "The current profile, A, can use them." });
    expect(toolProfilesNote([a, c, profile("D", false)], c)).toEqual({ profiles: "Chat profiles that can use tools: A.", current: "The current profile, C, cannot use tools: pick one that can to use these servers." });
    expect(toolProfilesNote([a, b], b).profiles).toBe("Every chat profile can use tools.");
    expect(toolProfilesNote([c], c).profiles).toMatch(/^No chat profile here can use tools/);
  });
  it("joins names", () => {
    expect(joinNames(["A"])).toBe("A");
    expect(joinNames(["A", "B"])).toBe("A and B");
    expect(joinNames(["A", "B", "C"])).toBe("A, B and C");
  });
});

describe("statusLine", () => {
  const server = { name: "docs", disabledTools: ["b", "gone"] };
  const reply = (over: Partial<McpToolsReply>): McpToolsReply => ({ status: "connected", error: null, tools: [], unavailable: [], ...over });
  it("connecting, connected with N tools (off and unavailable counted), or why not", () => {
    expect(statusLine(server, { state: "connecting" })).toEqual({ kind: "connecting", text: "Connecting..." });
    const tools = [{ name: "a", description: "", enabled: true, readOnly: false }, { name: "b", description: "", enabled: false, readOnly: true }];
    expect(statusLine(server, { state: "loaded", reply: reply({ tools }) })).toEqual({ kind: "connected", text: "Connected, 2 tools (1 switched off)" });
    expect(statusLine({ name: "docs", disabledTools: [] }, { state: "loaded", reply: reply({ tools: tools.slice(0, 1), unavailable: [{ name: "c", reason: "r" }] }) }).text).toBe("Connected, 1 tool (1 not available)");
    expect(statusLine(server, { state: "loaded", reply: reply({ status: "error", error: "server docs: fetch failed (ECONNREFUSED)" }) })).toEqual({
      kind: "error",
      text: "Cannot connect: Nothing answers at this address (connection refused). Check that the server is running and that the port is right.",
    });
    expect(statusLine(server, { state: "failed", message: "Cannot reach the server. Check your connection and try again." }).kind).toBe("error");
  });
});

describe("parseHeaders", () => {
  it("the Authorization field and Name: value lines; empty fields give none", () => {
    expect(parseHeaders("", "")).toEqual({ headers: {} });
    const parsed = parseHeaders("  Bearer abc ", "X-Api-Key: k1\n\n  X-Team :  blue:green \nauthorization: other");
    expect(parsed).toEqual({ headers: { Authorization: "Bearer abc", "X-Api-Key": "k1", "X-Team": "blue:green" } });
    expect(Object.keys("headers" in parsed ? parsed.headers : {})).toEqual(["Authorization", "X-Api-Key", "X-Team"]);
    expect(parseHeaders("", "Authorization: Bearer x")).toEqual({ headers: { Authorization: "Bearer x" } });
  });
  it("a line without a name or a value says which line", () => {
    expect(parseHeaders("", "X-A: 1\nnovalue")).toEqual({ error: "Line 2 of the other headers needs a name and a value, like X-Api-Key: abc123." });
    expect(parseHeaders("", ": v")).toEqual({ error: "Line 1 of the other headers needs a name and a value, like X-Api-Key: abc123." });
  });
});

describe("withTool", () => {
  it("switches one tool in the list of those switched off", () => {
    expect(withTool(["a"], "b", false)).toEqual(["a", "b"]);
    expect(withTool(["a", "b"], "a", true)).toEqual(["b"]);
    expect(withTool(["a"], "a", false)).toEqual(["a"]);
  });
});
