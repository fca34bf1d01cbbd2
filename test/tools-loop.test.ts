import { BedrockRuntimeClient, ConverseCommand } from "@aws-sdk/client-bedrock-runtime";
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUNDLED_CONFIG_PATH, loadConfig } from "../src/config/load.js";
import type { ModelProfile } from "../src/config/resolve.js";
import { resolveSettings, type SettingsInput } from "../src/engine/settings.js";
import { runTurn, type TurnEvent, type TurnResult } from "../src/engine/turn.js";
import type { Message, ToolResultPart } from "../src/engine/types.js";
import { BedrockProvider } from "../src/providers/bedrock/provider.js";
import { Toolset } from "../src/tools/toolset.js";
import { useBedrockEmulator } from "./helpers/bedrock-env.js";
import { withoutCachePoints } from "./helpers/cache-points.js";
import { AWKWARD_NAME, startHardHttpServer, tinyPng, type HardHttpServer } from "./mcp/hard-server.js";

/**
 * Emulator-scripted tool loops through the engine with a real Toolset over a real MCP server (ours, over
 * Streamable HTTP on 127.0.0.1): the emulator sees the mapped names and validates every request as Bedrock does;
 * the MCP server gets the original names.
 */

const env = useBedrockEmulator();
const { config } = loadConfig(BUNDLED_CONFIG_PATH);
const profile = (name: string): ModelProfile => config.profiles.find((p) => p.name === name)!;
const provider = new BedrockProvider();
const NOVA = profile("Amazon Nova Pro");
const SONNET = profile("Claude Sonnet 4.5");

let server: HardHttpServer;
let toolset: Toolset;
beforeAll(async () => {
  server = await startHardHttpServer();
  toolset = await Toolset.connect([{ name: "hard", transport: "http", url: server.url }], { callTimeoutMs: 500 });
});
afterAll(async () => {
  await toolset?.close();
  await server?.close();
});

type Body = Record<string, any>;
/** The requests as sent, checkpoints aside (the bundled profiles cache; test/prompt-caching.test.ts is about those). */
const bodies = () => env.emulator.requests.map((r) => withoutCachePoints(r.body as Body));
const lastUser = (body: Body) => body["messages"].at(-1).content as Body[];
/** Every object key anywhere in a JSON value. */
const keysIn = (value: unknown): string[] =>
  Array.isArray(value) ? value.flatMap(keysIn) : value !== null && typeof value === "object" ? Object.entries(value).flatMap(([k, v]) => [k, ...keysIn(v)]) : [];

async function turn(p: ModelProfile, text: string, options: { settings?: SettingsInput; signal?: AbortSignal; tools?: Toolset; history?: Message[] } = {}) {
  const events: TurnEvent[] = [];
  let result: TurnResult | undefined;
  for await (const event of runTurn({
    provider,
    profile: p,
    history: options.history ?? [],
    input: { role: "user", parts: [{ type: "text", text }] },
    settings: resolveSettings(p, options.settings),
    tools: options.tools ?? toolset,
    ...(options.signal ? { signal: options.signal } : {}),
  })) {
    events.push(event);
    if (event.type === "done") result = event.result;
  }
  return { events, result: result! };
}

describe("tool loops against the emulator", () => {
  it("one tool: the emulator gets the sorted specs, the server gets the call, the model gets the result", async () => {
    server.log.calls.length = 0;
    env.emulator.enqueue({ blocks: [{ text: "Adding." }, { toolUse: { id: "tooluse_add1", name: "hard__add", input: { a: 2, b: 3 } } }], stopReason: "tool_use" });
    const { result } = await turn(NOVA, "2+3?");
    expect(result.status).toBe("complete");
    expect(result.text).toBe("Adding.Received 1 tool result.");
    const [first, second] = bodies();
    const names = first!["toolConfig"].tools.map((t: Body) => t.toolSpec.name);
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(toolset.specs.map((s) => s.name));
    expect(first!["toolConfig"].tools.find((t: Body) => t.toolSpec.name === "hard__add").toolSpec).toEqual({
      name: "hard__add",
      description: "Adds two numbers",
      inputSchema: { json: { type: "object", properties: { a: { type: "number" }, b: { type: "number" } }, required: ["a", "b"] } },
    });
    expect(lastUser(second!)).toEqual([{ toolResult: { toolUseId: "tooluse_add1", status: "success", content: [{ text: "5" }] } }]);
    expect(server.log.calls).toEqual([{ name: "add", args: { a: 2, b: 3 } }]);
  });

  it("names are mapped both ways: the emulator sees the Bedrock name, the MCP server the original", async () => {
    server.log.calls.length = 0;
    const mapped = toolset.bedrockName("hard", AWKWARD_NAME)!;
    expect(mapped).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
    env.emulator.enqueue({ blocks: [{ toolUse: { id: "tooluse_w", name: mapped, input: { city: "Lima", days: 2 } } }], stopReason: "tool_use" });
    const { result } = await turn(NOVA, "Weather in Lima?");
    expect(result.status).toBe("complete");
    const sent = bodies()[0]!["toolConfig"].tools.map((t: Body) => t.toolSpec.name);
    expect(sent).toContain(mapped);
    expect(sent.join(" ")).not.toContain("weather.forecast");
    expect(server.log.calls).toEqual([{ name: AWKWARD_NAME, args: { city: "Lima", days: 2 } }]);
    expect(lastUser(bodies()[1]!)).toEqual([{ toolResult: { toolUseId: "tooluse_w", status: "success", content: [{ text: "Sunny in Lima" }] } }]);
  });

  it("the awkward tool's schema, as our reduction offers it, passes Nova's and Claude's schema rules end to end (the server's raw schema does not)", async () => {
    const raw = new Map<string, Tool>();
    const own = await Toolset.connect([{ name: "hard", transport: "http", url: server.url }], { filter: (_server, tool) => (raw.set(tool.name, tool), true) });
    const client = new BedrockRuntimeClient({ region: "us-west-2" });
    try {
      const mapped = own.bedrockName("hard", AWKWARD_NAME)!;
      const rawSchema = raw.get(AWKWARD_NAME)!.inputSchema as Record<string, unknown>;
      // The raw schema as the server sends it ($schema, definitions + $ref, a nullable union, `required: {}` deeper down) is refused by both.
      expect(rawSchema["definitions"]).toBeDefined();
      const refused = async (modelId: string) => {
        const tools = [{ toolSpec: { name: mapped, description: "Forecast for a city", inputSchema: { json: rawSchema as never } } }];
        return client.send(new ConverseCommand({ modelId, messages: [{ role: "user", content: [{ text: "hi" }] }], toolConfig: { tools } })).then(
          () => "accepted",
          (error: Error) => error.message,
        );
      };
      expect(await refused(NOVA.modelId)).toMatch(/extraneous key \[definitions\] is not permitted/);
      expect(await refused(SONNET.modelId)).toMatch(/tools\.0\.custom\.input_schema\.required: Input should be a valid list/);

      for (const [p, id] of [[NOVA, "tooluse_nova"], [SONNET, "tooluse_claude"]] as const) {
        env.emulator.reset();
        server.log.calls.length = 0;
        const input = { city: "Lima", days: 3, units: "metric", options: { hourly: true } };
        // The Claude profile thinks by default, so its tool-use turn starts with (signed) reasoning, as a real one does.
        const reasoning = p === SONNET ? [{ reasoning: "look up the forecast" }] : [];
        env.emulator.enqueue({ blocks: [...reasoning, { toolUse: { id, name: mapped, input } }], stopReason: "tool_use" });
        const { result } = await turn(p, "Forecast for Lima?", { tools: own });
        expect(result.status).toBe("complete");
        expect(env.emulator.requests.map((r) => r.status)).toEqual([200, 200]);
        expect(server.log.calls).toEqual([{ name: AWKWARD_NAME, args: input }]);
        expect(lastUser(bodies()[1]!)).toEqual([{ toolResult: { toolUseId: id, status: "success", content: [{ text: "Sunny in Lima" }] } }]);
        // Every tool the server offers went to the model in one toolConfig, the awkward one as reduced.
        const sent = bodies()[0]!["toolConfig"].tools.map((t: Body) => t.toolSpec);
        expect(sent.map((s: Body) => s.name)).toEqual(own.specs.map((s) => s.name));
        expect(sent.find((s: Body) => s.name === mapped)).toEqual({
          name: mapped,
          description: "Forecast for a city",
          inputSchema: {
            json: {
              type: "object",
              properties: {
                city: { type: "string", description: "A city name", minLength: 1 },
                days: { type: "integer", minimum: 1, maximum: 7, description: "How many days" },
                units: { type: "string", enum: ["metric", "imperial"] },
                options: { type: "object", properties: { hourly: { type: "boolean" } } },
              },
              required: ["city"],
            },
          },
        });
      }
    } finally {
      client.destroy();
      await own.close();
    }
  });

  it("several rounds with the tool list byte-identical on every call, reasoning signatures kept (Claude)", async () => {
    env.emulator.enqueue(
      { blocks: [{ reasoning: "first add" }, { toolUse: { id: "t1", name: "hard__add", input: { a: 1, b: 1 } } }], stopReason: "tool_use" },
      { blocks: [{ reasoning: "now echo" }, { toolUse: { id: "t2", name: "hard__echo", input: { message: "two" } } }], stopReason: "tool_use" },
      { blocks: [{ reasoning: "once more" }, { toolUse: { id: "t3", name: "hard__add", input: { a: 2, b: 2 } } }], stopReason: "tool_use" },
      { blocks: [{ text: "All done: 2, two, 4." }] },
    );
    const { result } = await turn(SONNET, "go", { settings: { interleaved: true } });
    expect(result.status).toBe("complete");
    expect(result.text).toBe("All done: 2, two, 4.");
    const all = bodies();
    expect(all).toHaveLength(4);
    expect(new Set(all.map((b) => JSON.stringify(b["toolConfig"]))).size).toBe(1);
    expect(all.map((b) => lastUser(b)[0]!["toolResult"]?.content)).toEqual([undefined, [{ text: "2" }], [{ text: "two" }], [{ text: "4" }]]);
    expect(result.messages.map((m) => m.role)).toEqual(["assistant", "user", "assistant", "user", "assistant", "user", "assistant"]);
  });

  it("several tools in one round run in parallel: the round takes the slowest, not the sum", async () => {
    env.emulator.enqueue({
      blocks: [
        { toolUse: { id: "p1", name: "hard__slow", input: { ms: 300, label: "a" } } },
        { toolUse: { id: "p2", name: "hard__slow", input: { ms: 300, label: "b" } } },
        { toolUse: { id: "p3", name: "hard__slow", input: { ms: 300, label: "c" } } },
      ],
      stopReason: "tool_use",
    });
    const started = Date.now();
    const { result } = await turn(NOVA, "three at once");
    expect(result.status).toBe("complete");
    expect(Date.now() - started).toBeLessThan(800);
    expect(lastUser(bodies()[1]!).map((b) => [b["toolResult"].toolUseId, b["toolResult"].content[0].text])).toEqual([
      ["p1", "done a"],
      ["p2", "done b"],
      ["p3", "done c"],
    ]);
  });

  it("a tool that throws and a tool that times out go back as error results, and the model answers", async () => {
    env.emulator.enqueue({
      blocks: [
        { toolUse: { id: "e1", name: "hard__fail", input: {} } },
        { toolUse: { id: "e2", name: "hard__hang", input: {} } },
      ],
      stopReason: "tool_use",
    });
    const { result, events } = await turn(NOVA, "try them");
    expect(result.status).toBe("complete");
    expect(result.text).toBe("Received 2 tool results.");
    expect(lastUser(bodies()[1]!)).toEqual([
      { toolResult: { toolUseId: "e1", status: "error", content: [{ text: "the database is on fire" }] } },
      { toolResult: { toolUseId: "e2", status: "error", content: [{ text: "The tool hang (server hard) did not answer within 0.5 s." }] } },
    ]);
    expect(events.filter((e) => e.type === "toolResult").map((e) => (e as { result: { status: string } }).result.status)).toEqual(["error", "error"]);
    await expect.poll(() => server.log.cancelled.length).toBeGreaterThan(0);
  });

  it("an image result goes to Bedrock as an image block; 2 MB of text goes cut to the cap", async () => {
    env.emulator.enqueue({
      blocks: [
        { toolUse: { id: "i1", name: "hard__image", input: {} } },
        { toolUse: { id: "b1", name: "hard__big-text", input: {} } },
      ],
      stopReason: "tool_use",
    });
    const { result } = await turn(NOVA, "image and text");
    expect(result.status).toBe("complete");
    const [image, big] = lastUser(bodies()[1]!).map((b) => b["toolResult"]);
    expect(image.content).toEqual([{ text: "Here is the image:" }, { image: { format: "png", source: { bytes: tinyPng().toString("base64") } } }]);
    expect(big.content[0].text).toHaveLength(100_000);
    expect(big.content[1].text).toMatch(/^\[The tool's output was cut: it had 2,000,000 characters/);
    expect(JSON.stringify(bodies()[1]).length).toBeLessThan(200_000);
  });

  it("a model without vision gets a note instead of the image", async () => {
    const micro = profile("Amazon Nova Micro");
    const own = await Toolset.connect([{ name: "hard", transport: "http", url: server.url }], { results: { images: micro.vision } });
    try {
      env.emulator.enqueue({ blocks: [{ toolUse: { id: "i2", name: "hard__image", input: {} } }], stopReason: "tool_use" });
      const { result } = await turn(micro, "image please", { tools: own });
      expect(result.status).toBe("complete");
      expect(lastUser(bodies()[1]!)[0]!["toolResult"].content[1].text).toMatch(/not passed to the model: this model does not take images/);
    } finally {
      await own.close();
    }
  });

  it("Stop during a tool call ends the call and the turn; the tool step is kept", async () => {
    const stop = new AbortController();
    env.emulator.enqueue({ blocks: [{ text: "Working." }, { toolUse: { id: "s1", name: "hard__slow", input: { ms: 5000, label: "long" } } }], stopReason: "tool_use" });
    setTimeout(() => stop.abort(), 300);
    const started = Date.now();
    const { result } = await turn(NOVA, "slow one", { signal: stop.signal });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(result.status).toBe("stopped");
    expect(result.messages[0]!.parts.map((p) => p.type)).toEqual(["text", "toolUse"]);
    expect(result.messages[1]!.parts).toEqual([{ type: "toolResult", toolUseId: "s1", status: "error", content: [{ type: "text", text: "The call of slow (server hard) was stopped." }], durationMs: expect.any(Number) }]);
    // The call ran from the model's ask until the stop, 300 ms into the turn: within the turn's time (how much of it
    // the model's answer took first depends on the machine's load, so no lower bound here; the 200 ms sleep below
    // checks the measure itself).
    const stopped = result.messages[1]!.parts[0] as ToolResultPart;
    expect(stopped.durationMs).toBeGreaterThanOrEqual(0);
    expect(stopped.durationMs).toBeLessThanOrEqual(Date.now() - started);
  });

  it("a tool use carries the MCP server and tool behind its name (the shortened, hashed one too), live and in the turn's messages; the Converse requests never carry them", async () => {
    const awkward = toolset.bedrockName("hard", AWKWARD_NAME)!;
    expect(awkward).toMatch(/_[0-9a-f]{8}$/);
    env.emulator.enqueue({ blocks: [{ toolUse: { id: "n1", name: "hard__add", input: { a: 1, b: 2 } } }, { toolUse: { id: "n2", name: awkward, input: { city: "Oslo" } } }, { toolUse: { id: "n3", name: "hard__nope", input: {} } }], stopReason: "tool_use" });
    const { events, result } = await turn(NOVA, "two tools");
    expect(result.status).toBe("complete");
    const uses = events.filter((e) => e.type === "toolUse");
    expect(uses).toEqual([
      { type: "toolUse", id: "n1", name: "hard__add", input: { a: 1, b: 2 }, server: "hard", tool: "add" },
      { type: "toolUse", id: "n2", name: awkward, input: { city: "Oslo" }, server: "hard", tool: AWKWARD_NAME },
      // A name the executor does not know stays without them (the step falls back to the name).
      { type: "toolUse", id: "n3", name: "hard__nope", input: {} },
    ]);
    expect(result.messages[0]!.parts.filter((p) => p.type === "toolUse")).toEqual(uses.map(({ type: _type, ...use }) => ({ type: "toolUse", ...use })));
    const results = events.flatMap((e) => (e.type === "toolResult" ? [e.result] : []));
    expect(results.map((r) => [r.toolUseId, r.status, typeof r.durationMs])).toEqual(expect.arrayContaining([["n1", "success", "number"], ["n2", "success", "number"], ["n3", "error", "number"]]));
    expect(result.messages[1]!.parts).toEqual(expect.arrayContaining(results));

    // The next turn replays the annotated parts: neither call's request has the display fields.
    const history: Message[] = [{ role: "user", parts: [{ type: "text", text: "two tools" }] }, ...result.messages];
    await turn(NOVA, "and now?", { history });
    const [, second, third] = bodies();
    for (const body of [second!, third!]) {
      expect(body["messages"].flatMap((m: Body) => m["content"]).some((b: Body) => b["toolUse"])).toBe(true);
      for (const key of ["server", "tool", "durationMs"]) expect(keysIn(body["messages"]), key).not.toContain(key);
    }
    expect(lastUser(second!).map((b) => Object.keys(b["toolResult"]).sort())).toEqual([
      ["content", "status", "toolUseId"],
      ["content", "status", "toolUseId"],
      ["content", "status", "toolUseId"],
    ]);
  });

  it("a tool that sleeps 200 ms takes about 200 ms: durationMs on the told result and on the message", async () => {
    env.emulator.enqueue({ blocks: [{ toolUse: { id: "d1", name: "hard__slow", input: { ms: 200, label: "nap" } } }], stopReason: "tool_use" });
    const { events, result } = await turn(NOVA, "nap");
    expect(result.status).toBe("complete");
    const told = events.find((e) => e.type === "toolResult")!;
    const ms = told.type === "toolResult" ? told.result.durationMs! : NaN;
    expect(ms).toBeGreaterThanOrEqual(195);
    expect(ms).toBeLessThan(3000);
    expect((result.messages[1]!.parts[0] as ToolResultPart).durationMs).toBe(ms);
  });

  it("a server that failed gives a notice and the turn runs with the tools of the others", async () => {
    const mixed = await Toolset.connect([
      { name: "hard", transport: "http", url: server.url },
      { name: "gone", transport: "stdio", command: "no-such-mcp-server" },
    ]);
    try {
      expect(mixed.notices()).toEqual(expect.arrayContaining(['server gone: cannot run "no-such-mcp-server": no such program']));
      const { result } = await turn(NOVA, "hello", { tools: mixed });
      expect(result.status).toBe("complete");
      expect(bodies()[0]!["toolConfig"].tools.every((t: Body) => t.toolSpec.name.startsWith("hard__"))).toBe(true);
    } finally {
      await mixed.close();
    }
  });

  it("the next turn replays the tool round validly", async () => {
    const history: Message[] = [];
    env.emulator.enqueue({ blocks: [{ toolUse: { id: "h1", name: "hard__add", input: { a: 4, b: 4 } } }], stopReason: "tool_use" });
    const first = await turn(NOVA, "4+4", { history });
    history.push({ role: "user", parts: [{ type: "text", text: "4+4" }] }, ...first.result.messages);
    const second = await turn(NOVA, "and again", { history });
    expect(second.result.status).toBe("complete");
    expect(bodies().at(-1)!["messages"]).toHaveLength(5);
  });
});
