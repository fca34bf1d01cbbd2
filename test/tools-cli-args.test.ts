import { describe, expect, it } from "vitest";
import { parseChatArgs, UsageError } from "../src/cli/chat-args.js";
import { splitCommandLine } from "../src/tools/command-line.js";

/** The CLI's MCP flags, parsed in-process (the end-to-end runs are in cli.test.ts). */

describe("--mcp and --mcp-stdio", () => {
  it("give server configs in order, with the stdio command split like a shell would", () => {
    const args = parseChatArgs(["--mcp", "ev=http://127.0.0.1:3001/mcp", "--mcp-stdio", `fs=npx -y "@scope/server fs" --root '/tmp/my dir'`, "--tool-timeout", "2.5", "q"]);
    expect(args.mcp).toEqual([
      { name: "ev", transport: "http", url: "http://127.0.0.1:3001/mcp" },
      { name: "fs", transport: "stdio", command: "npx", args: ["-y", "@scope/server fs", "--root", "/tmp/my dir"] },
    ]);
    expect(args.toolTimeoutMs).toBe(2500);
    expect(parseChatArgs(["q"])).toMatchObject({ mcp: [] });
    expect(parseChatArgs(["q"]).toolTimeoutMs).toBeUndefined();
  });

  it.each<[string[], RegExp]>([
    [["--mcp", "no-url"], /^--mcp expects NAME=URL, not "no-url"$/],
    [["--mcp", "=http://x/mcp"], /--mcp expects NAME=URL/],
    [["--mcp", "x="], /--mcp expects NAME=URL/],
    [["--mcp", "x=ftp://host/mcp"], /^--mcp x: "ftp:\/\/host\/mcp" is not an http:\/\/ or https:\/\/ URL$/],
    [["--mcp", "x=not a url"], /is not an http:\/\/ or https:\/\/ URL/],
    [["--mcp-stdio", "x='unbalanced"], /^--mcp-stdio x: unbalanced quotes in "'unbalanced"$/],
    [["--mcp-stdio", "x"], /--mcp-stdio expects NAME='program args'/],
    [["--mcp", "a=http://127.0.0.1:9/mcp", "--mcp-stdio", "a=node s.js"], /^two MCP servers are named "a"; give each its own name$/],
    [["--tool-timeout", "0"], /^--tool-timeout expects seconds from more than 0 to 3600, not "0"$/],
    [["--tool-timeout", "soon"], /--tool-timeout expects seconds/],
  ])("%j is a usage error", (argv, message) => {
    expect(() => parseChatArgs([...argv, "q"])).toThrow(UsageError);
    expect(() => parseChatArgs([...argv, "q"])).toThrow(message);
  });
});

describe("splitCommandLine", () => {
  it.each<[string, string[] | undefined]>([
    ["node server.js", ["node", "server.js"]],
    ["  node   a  ", ["node", "a"]],
    [`a 'b c' "d e"`, ["a", "b c", "d e"]],
    [`a "say \\"hi\\"" 'it''s'`, ["a", 'say "hi"', "its"]],
    [`a b\\ c`, ["a", "b c"]],
    [`a ''`, ["a", ""]],
    [`a "$HOME" *`, ["a", "$HOME", "*"]],
    [`a 'open`, undefined],
    [`a "open`, undefined],
  ])("%s", (line, words) => {
    expect(splitCommandLine(line)).toEqual(words);
  });
});
