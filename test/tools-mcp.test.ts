import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { McpConnection } from "../src/tools/connection.js";
import { Toolset } from "../src/tools/toolset.js";
import { AWKWARD_NAME, BIG_TEXT_CHARS, PAGE_SIZE, startHardHttpServer, tinyPng, type HardHttpServer } from "./mcp/hard-server.js";
import { everythingStdio, freePort, hardStdio, startEverythingHttp, type EverythingHttp } from "./mcp/everything.js";

/** The MCP client core against real servers: server-everything (stdio, Streamable HTTP) and our hard-case server. */

const textOf = (r: { content: { type: string; text?: string }[] }) => r.content.map((c) => (c.type === "text" ? c.text : `[${c.type}]`)).join("\n");

describe("server-everything over stdio", () => {
  let toolset: Toolset;
  beforeAll(async () => {
    toolset = await Toolset.connect([everythingStdio()]);
  });
  afterAll(async () => toolset?.close());

  it("lists its tools as everything__<tool>, sorted, with object schemas; the task-only tool is unavailable with a reason", () => {
    expect(toolset.failures).toEqual([]);
    const names = toolset.specs.map((s) => s.name);
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(expect.arrayContaining(["everything__echo", "everything__get-sum", "everything__get-tiny-image", "everything__get-structured-content"]));
    for (const spec of toolset.specs) {
      expect(spec.name).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
      expect(spec.inputSchema["type"]).toBe("object");
      expect(JSON.stringify(spec.inputSchema)).not.toMatch(/"\$schema"/);
    }
    expect(toolset.unavailable).toEqual([{ server: "everything", tool: "simulate-research-query", reason: expect.stringMatching(/long-running task/) }]);
    expect(toolset.status()).toEqual([{ server: "everything", state: "connected", transport: "stdio", tools: names.length }]);
  });

  it("calls tools: text, numbers, image, structured content, resources, and bad arguments as an error result", async () => {
    expect(await toolset.call("everything__echo", { message: "hello" })).toEqual({ status: "success", content: [{ type: "text", text: "Echo: hello" }] });
    expect(textOf(await toolset.call("everything__get-sum", { a: 2, b: 40 }))).toMatch(/42/);
    const image = await toolset.call("everything__get-tiny-image", {});
    expect(image.status).toBe("success");
    expect(image.content.map((c) => c.type)).toEqual(["text", "image", "text"]);
    expect(image.content[1]).toMatchObject({ type: "image", format: "png", source: { type: "bytes", data: expect.stringMatching(/^iVBOR/) } });
    const structured = await toolset.call("everything__get-structured-content", { location: "Chicago" });
    expect(structured.content).toEqual([{ type: "json", json: expect.objectContaining({ temperature: expect.any(Number), conditions: expect.any(String) }) }]);
    const links = await toolset.call("everything__get-resource-links", { count: 2 });
    expect(textOf(links)).toMatch(/Resource link: .*\nURI: demo:\/\/resource\//);
    const blob = await toolset.call("everything__get-resource-reference", { resourceType: "Blob", resourceId: 2 });
    expect(textOf(blob)).toMatch(/Resource demo:\/\/resource\/dynamic\/blob\/2 \(text\/plain\):\nResource 2:/);
    const bad = await toolset.call("everything__get-sum", { a: "two" });
    expect(bad.status).toBe("error");
    expect(textOf(bad)).toMatch(/Input validation error|Invalid/i);
  });

  it("a name it does not know is an error result, not a throw", async () => {
    expect(await toolset.call("everything__nope", {})).toEqual({ status: "error", content: [{ type: "text", text: "There is no tool named everything__nope." }] });
    expect((await toolset.call("everything__echo", [1, 2])).status).toBe("error");
  });
});

describe("server-everything over Streamable HTTP on 127.0.0.1", () => {
  let server: EverythingHttp;
  let toolset: Toolset;
  beforeAll(async () => {
    server = await startEverythingHttp();
    toolset = await Toolset.connect([{ name: "ev", transport: "http", url: server.url }]);
  });
  afterAll(async () => {
    await toolset?.close();
    await server?.close();
  });

  it("connects with Streamable HTTP, lists and calls", async () => {
    expect(toolset.failures).toEqual([]);
    expect(toolset.status()[0]).toMatchObject({ server: "ev", state: "connected", transport: "streamable-http" });
    expect(toolset.specs.map((s) => s.name)).toContain("ev__echo");
    expect(await toolset.call("ev__echo", { message: "over http" })).toEqual({ status: "success", content: [{ type: "text", text: "Echo: over http" }] });
  });

  it("parallel calls on one connection each get their own answer", async () => {
    const results = await Promise.all(["a", "b", "c", "d"].map((m) => toolset.call("ev__echo", { message: m })));
    expect(results.map(textOf)).toEqual(["Echo: a", "Echo: b", "Echo: c", "Echo: d"]);
  });

  it("the fetch is injectable: every request goes through it", async () => {
    const seen: string[] = [];
    const own = await Toolset.connect([{ name: "ev", transport: "http", url: server.url }], {
      fetch: (url, init) => {
        seen.push(`${init?.method ?? "GET"} ${new URL(String(url)).pathname}`);
        return fetch(url, init);
      },
    });
    await own.call("ev__echo", { message: "x" });
    await own.close();
    expect(seen).toEqual(expect.arrayContaining(["POST /mcp", "DELETE /mcp"]));
    expect(seen.filter((s) => s === "POST /mcp").length).toBeGreaterThanOrEqual(4); // initialize, initialized, tools/list, tools/call
  });
});

describe("our hard-case server over stdio", () => {
  let toolset: Toolset;
  beforeAll(async () => {
    toolset = await Toolset.connect([hardStdio()], { callTimeoutMs: 800 });
  });
  afterAll(async () => toolset?.close());

  it("follows tools/list pages, maps the awkward name and reduces its schema; unofferable schemas are reported", () => {
    const names = toolset.specs.map((s) => s.name);
    expect(names.length).toBeGreaterThan(PAGE_SIZE * 2);
    const awkward = toolset.specs.find((s) => toolset.lookup(s.name)?.tool === AWKWARD_NAME)!;
    expect(awkward.name).toMatch(/^hard__weather_forecast_for_the_next_7_days_hourly_daily_[0-9a-f]{8}$/);
    expect(awkward.name).toHaveLength(64);
    expect(toolset.bedrockName("hard", AWKWARD_NAME)).toBe(awkward.name);
    expect(awkward.inputSchema).toEqual({
      type: "object",
      properties: {
        city: { type: "string", description: "A city name", minLength: 1 },
        days: { type: "integer", minimum: 1, maximum: 7, description: "How many days" },
        units: { type: "string", enum: ["metric", "imperial"] },
        options: { type: "object", properties: { hourly: { type: "boolean" } } },
      },
      required: ["city"],
    });
    expect(toolset.unavailable.map((u) => u.tool)).toEqual(["string-input", "union-input"]);
    expect(toolset.notices()).toEqual([
      "server hard: tool string-input is not offered to the model: its input must be a string, and Bedrock takes only an object as a tool's input",
      "server hard: tool union-input is not offered to the model: its input schema's root is a choice (anyOf) between alternatives that are not all objects; Bedrock takes only an object as a tool's input",
    ]);
  });

  it("the awkward tool is called by its original name", async () => {
    const result = await toolset.call(toolset.bedrockName("hard", AWKWARD_NAME)!, { city: "Lima", days: 3 });
    expect(result).toEqual({ status: "success", content: [{ type: "text", text: "Sunny in Lima" }] });
  });

  it("a tool that throws is an error result with its message", async () => {
    expect(await toolset.call("hard__fail", {})).toEqual({ status: "error", content: [{ type: "text", text: "the database is on fire" }] });
  });

  it("a tool that hangs times out as an error result, and the connection still works", async () => {
    const started = Date.now();
    expect(await toolset.call("hard__hang", {})).toEqual({ status: "error", content: [{ type: "text", text: "The tool hang (server hard) did not answer within 0.8 s." }] });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(await toolset.call("hard__add", { a: 1, b: 2 })).toEqual({ status: "success", content: [{ type: "text", text: "3" }] });
  });

  it("Stop (the signal) ends a running call at once", async () => {
    const stop = new AbortController();
    const started = Date.now();
    const pending = toolset.call("hard__slow", { ms: 5000, label: "x" }, stop.signal);
    setTimeout(() => stop.abort(), 100);
    expect(await pending).toEqual({ status: "error", content: [{ type: "text", text: "The call of slow (server hard) was stopped." }] });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("an image comes back as image bytes; 2 MB of text is cut to the cap with a note", async () => {
    const image = await toolset.call("hard__image", {});
    expect(image.content).toEqual([
      { type: "text", text: "Here is the image:" },
      { type: "image", format: "png", source: { type: "bytes", data: tinyPng().toString("base64") } },
    ]);
    const big = await toolset.call("hard__big-text", {});
    expect(big.status).toBe("success");
    expect(big.content).toHaveLength(2);
    expect((big.content[0] as { text: string }).text).toHaveLength(100_000);
    expect(big.content[1]).toEqual({ type: "text", text: `[The tool's output was cut: it had ${BIG_TEXT_CHARS.toLocaleString("en-US")} characters of text; the model was given the first 100,000.]` });
  });

  it("structured content is json and its repeated text is dropped", async () => {
    expect(await toolset.call("hard__structured", {})).toEqual({ status: "success", content: [{ type: "json", json: { temperature: 21.5, conditions: "sunny" } }] });
  });

  it("refreshes its tool list on tools/list_changed", async () => {
    let changes = 0;
    const own = await Toolset.connect([hardStdio()], { onChange: () => changes++ });
    try {
      expect(own.lookup("hard__late")).toBeUndefined();
      const before = changes;
      await own.call("hard__add-tool", {});
      await expect.poll(() => own.specs.map((s) => s.name), { timeout: 3000 }).toContain("hard__late");
      expect(changes).toBeGreaterThan(before);
      expect(await own.call("hard__late", {})).toEqual({ status: "success", content: [{ type: "text", text: "late tool ran" }] });
    } finally {
      await own.close();
    }
  });
});

describe("HTTP: fallback, failures, restarts", () => {
  let modern: HardHttpServer;
  let legacy: HardHttpServer;
  beforeAll(async () => {
    [modern, legacy] = await Promise.all([startHardHttpServer(), startHardHttpServer({ legacy: true })]);
  });
  afterAll(async () => {
    await Promise.all([modern?.close(), legacy?.close()]);
  });

  it("falls back to the legacy SSE transport when the server answers 405 to Streamable HTTP", async () => {
    const connection = new McpConnection({ name: "old", transport: "http", url: legacy.url });
    try {
      await connection.connect();
      expect(connection.transportKind).toBe("sse");
      expect(legacy.requests[0]).toBe("POST /mcp");
      expect(legacy.requests).toContain("GET /mcp");
      expect(await connection.callTool("add", { a: 20, b: 22 })).toMatchObject({ content: [{ type: "text", text: "42" }] });
    } finally {
      await connection.close();
    }
  });

  it("a server that is down, not MCP, or asks for sign-in yields no tools and a readable failure; the others still work", async () => {
    const closedPort = await freePort();
    const toolset = await Toolset.connect(
      [
        { name: "good", transport: "http", url: modern.url },
        { name: "down", transport: "http", url: `http://127.0.0.1:${closedPort}/mcp` },
        { name: "nothing", transport: "stdio", command: "no-such-program-for-mcp" },
        { name: "crash", transport: "stdio", command: process.execPath, args: ["-e", "console.error('boom: missing API key'); process.exit(3)"] },
      ],
      {
        connectTimeoutMs: 3000,
        fetch: (url, init) => (new Headers(init?.headers).get("x-test") === "401" ? Promise.resolve(new Response("sign in", { status: 401 })) : fetch(url, init)),
      },
    );
    try {
      expect(toolset.failures.map((f) => f.server)).toEqual(["crash", "down", "nothing"]);
      expect(toolset.failures.find((f) => f.server === "down")!.message).toMatch(/^server down: fetch failed \(ECONNREFUSED\)$/);
      expect(toolset.failures.find((f) => f.server === "nothing")!.message).toBe('server nothing: cannot run "no-such-program-for-mcp": no such program');
      expect(toolset.failures.find((f) => f.server === "crash")!.message).toMatch(/^server crash: .*Connection closed.*boom: missing API key/);
      expect(toolset.specs.some((s) => s.name.startsWith("down__"))).toBe(false);
      expect(toolset.specs.some((s) => s.name === "good__add")).toBe(true);
      expect(toolset.status().find((s) => s.server === "down")).toMatchObject({ state: "failed", tools: 0 });
    } finally {
      await toolset.close();
    }
    const signIn = new McpConnection({ name: "auth", transport: "http", url: modern.url, headers: { "x-test": "401" } }, {
      fetch: (url, init) => (new Headers(init?.headers).get("x-test") === "401" ? Promise.resolve(new Response("sign in", { status: 401 })) : fetch(url, init)),
    });
    await expect(signIn.connect()).rejects.toThrow(/asks for sign-in \(HTTP 401\)/);
    await signIn.close();
  });

  it("a server that never answers initialize fails within the connect timeout", async () => {
    const started = Date.now();
    const toolset = await Toolset.connect([{ name: "mute", transport: "stdio", command: process.execPath, args: ["-e", "setInterval(() => {}, 1000)"] }], { connectTimeoutMs: 500 });
    expect(toolset.failures).toEqual([{ server: "mute", message: expect.stringMatching(/^server mute: .*(timed out|no answer)/i) }]);
    expect(Date.now() - started).toBeLessThan(3000);
    await toolset.close();
  });

  it("after a server restart (its sessions gone) the next call reconnects once and succeeds", async () => {
    const server = await startHardHttpServer();
    const toolset = await Toolset.connect([{ name: "r", transport: "http", url: server.url }]);
    try {
      expect(await toolset.call("r__add", { a: 1, b: 1 })).toMatchObject({ status: "success" });
      await server.restart();
      expect(await toolset.call("r__add", { a: 2, b: 2 })).toEqual({ status: "success", content: [{ type: "text", text: "4" }] });
      expect(server.log.calls.filter((c) => c.name === "add")).toHaveLength(2);
      // Down for good: an error result that names the server, not a throw.
      await server.stop();
      const down = await toolset.call("r__add", { a: 3, b: 3 });
      expect(down.status).toBe("error");
      expect(textOf(down)).toMatch(/^The tool add \(server r\) failed: .*(ECONNREFUSED|fetch failed)/);
    } finally {
      await toolset.close();
      await server.close();
    }
  });

  it("a stdio server that died is started again on the next call", async () => {
    const connection = new McpConnection(hardStdio("s"));
    try {
      await connection.connect();
      const transport = (connection as unknown as { current: { transport: { pid: number | null } } }).current.transport;
      process.kill(transport.pid!, "SIGKILL");
      await expect.poll(() => connection.connected, { timeout: 3000 }).toBe(false);
      expect(await connection.callTool("add", { a: 5, b: 5 })).toMatchObject({ content: [{ type: "text", text: "10" }] });
      expect(connection.connected).toBe(true);
    } finally {
      await connection.close();
    }
  });

  it("close() ends every server: stdio children exit, HTTP sessions are deleted", async () => {
    const server = await startHardHttpServer();
    const toolset = await Toolset.connect([hardStdio("s"), { name: "h", transport: "http", url: server.url }]);
    const pid = (toolset as unknown as { connections: Map<string, { current: { transport: { pid: number | null } } }> }).connections.get("s")!.current.transport.pid!;
    await toolset.close();
    expect(server.requests).toContain("DELETE /mcp");
    expect(() => process.kill(pid, 0)).toThrow();
    await server.close();
    expect(await toolset.call("s__add", { a: 1, b: 1 })).toMatchObject({ status: "error" });
  });
});
