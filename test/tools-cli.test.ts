import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startBedrockEmulator, type BedrockEmulator } from "./emulator/server.js";
import { emulatorEnv } from "./helpers/emulator-env.js";
import { runCli } from "./helpers/run-cli.js";
import { withoutCachePoints } from "./helpers/cache-points.js";
import { freePort, HARD_STDIO_MAIN, startEverythingHttp, type EverythingHttp } from "./mcp/everything.js";

/** `chat --mcp` / `--mcp-stdio` end to end: the CLI as a child process, the emulator, real MCP servers. */
let emulator: BedrockEmulator;
let env: Record<string, string>;
beforeAll(async () => {
  emulator = await startBedrockEmulator();
  env = emulatorEnv(emulator.url);
});
beforeEach(() => emulator.reset());
afterAll(async () => emulator.close());

const chat = (args: string[]) => runCli(["chat", ...args], { env });

describe("cli chat --mcp / --mcp-stdio", () => {
  let everything: EverythingHttp;
  beforeAll(async () => {
    everything = await startEverythingHttp();
  });
  afterAll(async () => everything?.close());
  const hard = `hard=${process.execPath} --import tsx ${HARD_STDIO_MAIN}`;
  const UNAVAILABLE = [
    "note: server hard: tool string-input is not offered to the model: its input must be a string, and Bedrock takes only an object as a tool's input",
    "note: server hard: tool union-input is not offered to the model: its input schema's root is a choice (anyOf) between alternatives that are not all objects; Bedrock takes only an object as a tool's input",
  ];

  it("--mcp-stdio: the model gets the server's tools, calls run without asking, --json lists them with MCP names", async () => {
    emulator.enqueue(
      { blocks: [{ text: "Let me compute." }, { toolUse: { id: "tooluse_1", name: "hard__add", input: { a: 2, b: 3 } } }, { toolUse: { id: "tooluse_2", name: "hard__fail", input: {} } }], stopReason: "tool_use" },
      { blocks: [{ text: "It is 5." }] },
    );
    const run = await chat(["--json", "--profile", "Amazon Nova Pro", "--mcp-stdio", hard, "2+3?"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr.trim().split("\n")).toEqual(UNAVAILABLE);
    const line = JSON.parse(run.stdout);
    expect(line.text).toBe("Let me compute.It is 5.");
    expect(line.toolCalls).toEqual([
      { name: "add", input: { a: 2, b: 3 }, result: "5", isError: false },
      { name: "fail", input: {}, result: "the database is on fire", isError: true },
    ]);
    const tools = (emulator.requests[0]!.body["toolConfig"] as { tools: { toolSpec: { name: string } }[] }).tools.map((t) => t.toolSpec.name);
    expect(tools).toEqual([...tools].sort());
    expect(tools).toEqual(expect.arrayContaining(["hard__add", "hard__fail", "hard__image"]));
    expect(emulator.requests[1]!.body["toolConfig"]).toEqual(emulator.requests[0]!.body["toolConfig"]);
  });

  it("--mcp: server-everything over Streamable HTTP; plain mode shows each tool step on stderr", async () => {
    emulator.enqueue({ blocks: [{ toolUse: { id: "tooluse_e", name: "ev__echo", input: { message: "hi" } } }], stopReason: "tool_use" }, { blocks: [{ text: "Echoed." }] });
    const run = await chat(["--profile", "Amazon Nova Pro", "--mcp", `ev=${everything.url}`, "echo hi"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe("Echoed.\n");
    expect(run.stderr).toMatch(/^note: server ev: tool simulate-research-query is not offered to the model: .*\n\[tool echo \(ev\): ok\]\n$/);
    const results = (withoutCachePoints(emulator.requests[1]!.body)["messages"] as { content: Record<string, any>[] }[]).at(-1)!.content;
    expect(results).toEqual([{ toolResult: { toolUseId: "tooluse_e", status: "success", content: [{ text: "Echo: hi" }] } }]);
  });

  it("a server that fails is a note; the turn runs without its tools and toolCalls is empty", async () => {
    const port = await freePort();
    const run = await chat(["--json", "--profile", "Amazon Nova Pro", "--mcp", `down=http://127.0.0.1:${port}/mcp`, "hello"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toBe("note: server down: fetch failed (ECONNREFUSED)\n");
    expect(emulator.requests[0]!.body["toolConfig"]).toBeUndefined();
    expect(JSON.parse(run.stdout)).toMatchObject({ text: "Echo: hello", toolCalls: [] });
  });

  it("the CLI's network rule: loopback is allowed (the tests above), cloud metadata addresses are refused without connecting", async () => {
    const run = await chat(["--json", "--profile", "Amazon Nova Pro", "--mcp", "meta=http://169.254.169.254/latest/mcp", "--mcp", "v6=http://[::ffff:169.254.169.254]/mcp", "hi"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toBe(
      [
        "note: server meta: refused: 169.254.169.254 is a cloud metadata address (instance metadata of AWS, Azure, Google Cloud, OCI and others); set MCP_ALLOW_PRIVATE_NETWORKS=1 to allow it",
        "note: server v6: refused: ::ffff:a9fe:a9fe (IPv4-mapped IPv6 form of 169.254.169.254) is a cloud metadata address (instance metadata of AWS, Azure, Google Cloud, OCI and others); set MCP_ALLOW_PRIVATE_NETWORKS=1 to allow it",
        "",
      ].join("\n"),
    );
    expect(emulator.requests[0]!.body["toolConfig"]).toBeUndefined();
  });

  it("--tool-timeout bounds a call that hangs: an error result, and the model still answers", async () => {
    emulator.enqueue({ blocks: [{ toolUse: { id: "tooluse_h", name: "hard__hang", input: {} } }], stopReason: "tool_use" });
    const started = Date.now();
    const run = await chat(["--json", "--profile", "Amazon Nova Pro", "--tool-timeout", "0.5", "--mcp-stdio", hard, "wait"]);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).toolCalls).toEqual([{ name: "hang", input: {}, result: "The tool hang (server hard) did not answer within 0.5 s.", isError: true }]);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
