import { describe, expect, it } from "vitest";
import { parseServersFile, ServersFileError } from "./servers-file.js";

const parse = (json: unknown, env: Record<string, string> = {}) => parseServersFile(typeof json === "string" ? json : JSON.stringify(json), "/etc/chat/mcp.json", env);

describe("MCP_SERVERS_FILE", () => {
  it("reads stdio and HTTP servers, taking secrets from the environment", () => {
    const servers = parse(
      {
        servers: [
          { name: "files", description: "Shared folder", command: "npx", args: ["-y", "server-filesystem", "/srv"], env: { LEVEL: "warn", TOKEN: { fromEnv: "FILES_TOKEN" } } },
          { name: "wiki", url: "https://wiki.internal/mcp", headersFromEnv: { Authorization: "WIKI_AUTH" }, privateNetwork: true },
        ],
      },
      { FILES_TOKEN: "t0", WIKI_AUTH: "Bearer w1" },
    );
    expect(servers).toEqual([
      { name: "files", description: "Shared folder", transport: "stdio", where: "npx -y server-filesystem /srv", privateNetwork: false, config: { name: "files", transport: "stdio", command: "npx", args: ["-y", "server-filesystem", "/srv"], env: { LEVEL: "warn", TOKEN: "t0" } } },
      { name: "wiki", description: null, transport: "http", where: "https://wiki.internal/mcp", privateNetwork: true, config: { name: "wiki", transport: "http", url: "https://wiki.internal/mcp", headers: { Authorization: "Bearer w1" } } },
    ]);
    // What users are shown never holds a secret.
    expect(JSON.stringify(servers.map(({ config: _, ...shown }) => shown))).not.toMatch(/t0|w1/);
  });

  it.each([
    ["not JSON", "{ servers: [", /is not valid JSON/],
    ["no servers list", {}, /the top level|servers/],
    ["a server with neither command nor url", { servers: [{ name: "x" }] }, /servers\[0\]/],
    ["an unknown field (a typo)", { servers: [{ name: "x", command: "a", argz: [] }] }, /servers\[0\]/],
    ["a URL that is not http(s)", { servers: [{ name: "x", url: "ftp://example.com/mcp" }] }, /servers\[0\]/],
    ["two servers with one name", { servers: [{ name: "Wiki", url: "https://a.example/mcp" }, { name: "wiki", command: "x" }] }, /"wiki" is listed twice/],
    ["a header taken from an unset variable", { servers: [{ name: "wiki", url: "https://a.example/mcp", headersFromEnv: { Authorization: "NOT_SET" } }] }, /header Authorization reads the environment variable NOT_SET, which is not set/],
    ["an env value taken from an unset variable", { servers: [{ name: "f", command: "x", env: { K: { fromEnv: "MISSING" } } }] }, /env K reads the environment variable MISSING/],
  ])("refuses %s, naming the file and what to change", (_, json, message) => {
    let error: unknown;
    try {
      parse(json);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ServersFileError);
    expect((error as Error).message).toContain("MCP_SERVERS_FILE /etc/chat/mcp.json");
    expect((error as Error).message).toMatch(message);
  });
});
