import { describe, expect, it } from "vitest";
import { BUNDLED_CONFIG_PATH, loadConfig } from "../src/config/load.js";
import type { ModelProfile } from "../src/config/resolve.js";
import { ChatError } from "../src/engine/errors.js";
import { resolveSettings, type SettingsInput } from "../src/engine/settings.js";
import type { ToolExecutor } from "../src/engine/tools.js";
import { runTurn, type TurnEvent, type TurnResult } from "../src/engine/turn.js";
import type { Message } from "../src/engine/types.js";
import { BedrockClients } from "../src/providers/bedrock/client.js";
import { BedrockProvider } from "../src/providers/bedrock/provider.js";
import { useBedrockEmulator } from "./helpers/bedrock-env.js";
import { withoutCachePoints } from "./helpers/cache-points.js";

const env = useBedrockEmulator();
const { config } = loadConfig(BUNDLED_CONFIG_PATH);
const profile = (name: string): ModelProfile => config.profiles.find((p) => p.name === name)!;
const provider = new BedrockProvider();
const user = (text: string): Message => ({ role: "user", parts: [{ type: "text", text }] });

interface TurnOptions {
  settings?: SettingsInput;
  tools?: ToolExecutor;
  signal?: AbortSignal;
  provider?: BedrockProvider;
  limits?: { maxCharacters: number | null };
  maxToolRounds?: number;
}

async function turn(p: ModelProfile, history: Message[], text: string, options: TurnOptions = {}) {
  const events: TurnEvent[] = [];
  let result: TurnResult | undefined;
  const input = user(text);
  for await (const event of runTurn({
    provider: options.provider ?? provider,
    profile: p,
    history,
    input,
    settings: resolveSettings(p, options.settings),
    ...(options.tools ? { tools: options.tools } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.maxToolRounds !== undefined ? { maxToolRounds: options.maxToolRounds } : {}),
  })) {
    events.push(event);
    if (event.type === "done") result = event.result;
  }
  history.push(input, ...result!.messages);
  // The request as sent, checkpoints aside (the bundled profiles cache; test/prompt-caching.test.ts is about those).
  return { events, result: result!, sent: withoutCachePoints((env.emulator.requests.at(-1)?.body ?? {}) as Record<string, any>) };
}

/** A small in-process tool set (MCP servers plug in through the same interface in the server). */
const calculator: ToolExecutor = {
  specs: [{ name: "add", description: "Adds two numbers", inputSchema: { type: "object", properties: { a: { type: "number" }, b: { type: "number" } }, required: ["a", "b"] } }],
  async call(name, input) {
    const { a, b } = input as { a: number; b: number };
    return { status: "success", content: [{ type: "text", text: String(a + b) }] };
  },
};

describe("Anthropic-style reasoning over three turns", () => {
  it("sends thinking with a budget and replays signed reasoning first on turns 2 and 3", async () => {
    const claude = profile("Claude 3.7 Sonnet");
    const history: Message[] = [];
    const first = await turn(claude, history, "What is 2+2?");
    expect(first.sent["additionalModelRequestFields"]).toEqual({ thinking: { type: "enabled", budget_tokens: 4096 } });
    expect(first.sent["inferenceConfig"]).toEqual({ maxTokens: 8192, temperature: 1 });
    expect(first.result).toMatchObject({ status: "complete", text: "Echo: What is 2+2?", reasoning: "Thinking about: What is 2+2?", stopReason: "end_turn" });
    expect(first.events.map((e) => e.type)).toContain("reasoningSignature");

    const second = await turn(claude, history, "And 3+3?");
    const replayed = second.sent["messages"][1].content;
    expect(Object.keys(replayed[0])).toEqual(["reasoningContent"]);
    expect(replayed[0].reasoningContent.reasoningText.signature).toEqual(expect.any(String));
    expect(replayed[1]).toEqual({ text: "Echo: What is 2+2?" });

    const third = await turn(claude, history, "Thanks", { settings: { budgetTokens: 2048, maxTokens: 1024 } });
    expect(third.sent["messages"]).toHaveLength(5);
    expect(third.sent["messages"][3].content[0].reasoningContent.reasoningText.text).toBe("Thinking about: And 3+3?");
    expect(third.sent["additionalModelRequestFields"]).toEqual({ thinking: { type: "enabled", budget_tokens: 2048 } });
    expect(third.sent["inferenceConfig"].maxTokens).toBe(3072);
    expect(third.result.status).toBe("complete");
  });

  it("thinking off sends nothing reasoning-related and the user's sampling", async () => {
    const { sent, result } = await turn(profile("Claude 3.7 Sonnet"), [], "hi", { settings: { thinking: false, temperature: 0.3, topP: 0.9 } });
    expect(sent["additionalModelRequestFields"]).toBeUndefined();
    expect(sent["inferenceConfig"]).toEqual({ maxTokens: 8192, temperature: 0.3, topP: 0.9 });
    expect(result.reasoning).toBeNull();
  });

  it("runs a tool loop with reasoning kept first in the tool-use message, and interleaved thinking when asked", async () => {
    const sonnet = profile("Claude Sonnet 4.5");
    env.emulator.enqueue({ blocks: [{ reasoning: "I should add." }, { text: "Let me add." }, { toolUse: { id: "tooluse_1", name: "add", input: { a: 2, b: 3 } } }] });
    const history: Message[] = [];
    const { events, result } = await turn(sonnet, history, "2+3?", { tools: calculator, settings: { interleaved: true } });
    expect(env.emulator.requests).toHaveLength(2);
    const [call1, call2] = env.emulator.requests.map((r) => withoutCachePoints(r.body as Record<string, any>));
    expect(call1!["additionalModelRequestFields"]).toEqual({ thinking: { type: "enabled", budget_tokens: 4096 }, anthropic_beta: ["interleaved-thinking-2025-05-14"] });
    expect(call1!["toolConfig"].tools[0].toolSpec.name).toBe("add");
    expect(call2!["messages"][1].content.map((b: object) => Object.keys(b)[0])).toEqual(["reasoningContent", "text", "toolUse"]);
    expect(call2!["messages"][2].content).toEqual([{ toolResult: { toolUseId: "tooluse_1", status: "success", content: [{ text: "5" }] } }]);
    expect(events.filter((e) => e.type === "toolResult")).toHaveLength(1);
    expect(result.messages.map((m) => m.role)).toEqual(["assistant", "user", "assistant"]);
    expect(result.text).toBe("Let me add.Received 1 tool result.");
    // Usage and cost add up over both calls.
    const perCall = env.emulator.requests.length;
    expect(events.filter((e) => e.type === "usage")).toHaveLength(perCall);

    // The next turn replays the whole tool round validly (the emulator checks toolUse/toolResult pairing and signatures).
    const next = await turn(sonnet, history, "and again?", { tools: calculator });
    expect(next.result.status).toBe("complete");
    expect(next.sent["messages"]).toHaveLength(5);
  });

  it("keeps tool rounds valid when the next turn offers no tools", async () => {
    const sonnet = profile("Claude Sonnet 4.5");
    env.emulator.enqueue({ blocks: [{ reasoning: "add" }, { toolUse: { id: "tooluse_2", name: "add", input: { a: 1, b: 1 } } }] });
    const history: Message[] = [];
    await turn(sonnet, history, "1+1?", { tools: calculator });
    const { result, sent } = await turn(sonnet, history, "ok", { settings: { thinking: false } });
    expect(result.status).toBe("complete");
    expect(sent["toolConfig"]).toBeUndefined();
    expect(JSON.stringify(sent["messages"])).toContain("[Called tool add with input");
  });
});

describe("OpenAI-style, always-on and non-reasoning profiles", () => {
  it("OpenAI style: reasoning_effort, temperature/topP 1.0, reasoning not replayed without tools", async () => {
    const gpt = profile("OpenAI GPT OSS 20B");
    const history: Message[] = [];
    const first = await turn(gpt, history, "hello", { settings: { effort: "low" } });
    expect(first.sent["additionalModelRequestFields"]).toEqual({ reasoning_effort: "low" });
    expect(first.sent["inferenceConfig"]).toEqual({ maxTokens: 8192, temperature: 1, topP: 1 });
    expect(first.result.reasoning).toBe("Thinking about: hello");
    const second = await turn(gpt, history, "again");
    expect(second.sent["messages"][1]).toEqual({ role: "assistant", content: [{ text: "Echo: hello" }] });
    const third = await turn(gpt, history, "once more");
    expect(third.sent["messages"]).toHaveLength(5);
  });

  it("OpenAI style keeps reasoning on a tool turn", async () => {
    const gpt = profile("OpenAI GPT OSS 120B");
    env.emulator.enqueue({ blocks: [{ reasoning: "need the tool", signature: null }, { toolUse: { id: "t_1", name: "add", input: { a: 1, b: 2 } } }] });
    const history: Message[] = [];
    await turn(gpt, history, "1+2", { tools: calculator });
    const next = await turn(gpt, history, "next", { tools: calculator });
    expect(next.sent["messages"][1].content[0]).toEqual({ reasoningContent: { reasoningText: { text: "need the tool" } } });
  });

  it("no_reasoning_params (DeepSeek R1): no additionalModelRequestFields, reasoning still shown", async () => {
    const { sent, result } = await turn(profile("DeepSeek R1"), [], "why?");
    expect(sent["additionalModelRequestFields"]).toBeUndefined();
    expect(result.reasoning).toBe("Thinking about: why?");
  });

  it("reasoning off: nothing reasoning-related is sent", async () => {
    const { sent } = await turn(profile("Amazon Nova Pro"), [], "hi");
    expect(sent["additionalModelRequestFields"]).toBeUndefined();
    expect(sent["inferenceConfig"]).toEqual({ maxTokens: 2560, temperature: 1 });
    expect(sent["system"]).toEqual([{ text: expect.stringMatching(/^You are a helpful assistant\. Today is \d{4}-\d{2}-\d{2}\.$/) }]);
  });
});

describe("Converse and ConverseStream give the same events", () => {
  it.each(["Claude 3.7 Sonnet", "OpenAI GPT OSS 20B", "Amazon Nova Lite"])("%s", async (name) => {
    const script = { blocks: [{ reasoning: "why" }, { text: "because" }], usage: { inputTokens: 10, outputTokens: 20, cacheReadInputTokens: 4, cacheWriteInputTokens: 2 } };
    env.emulator.enqueue(script, script);
    const streamed = await turn(profile(name), [], "q");
    const plain = await turn(profile(name), [], "q", { settings: { stream: false } });
    expect(env.emulator.requests.map((r) => r.operation)).toEqual(["converse-stream", "converse"]);
    const { messages: _a, ...s } = streamed.result;
    const { messages: _b, ...p } = plain.result;
    expect(p).toEqual(s);
    expect(s.usage).toEqual({ inputTokens: 10, outputTokens: 20, cacheReadInputTokens: 4, cacheWriteInputTokens: 2, cacheWrite1hInputTokens: 0 });
  });
});

describe("history stays valid whatever happens", () => {
  it("after a failed turn, the next request leaves the failed question out", async () => {
    const nova = profile("Amazon Nova Pro");
    const history: Message[] = [];
    await turn(nova, history, "first");
    env.emulator.enqueue({ error: { type: "ValidationException", status: 400, message: "Something was wrong." } });
    const failed = await turn(nova, history, "this fails");
    expect(failed.result.status).toBe("error");
    const next = await turn(nova, history, "third");
    expect(next.result.status).toBe("complete");
    expect(next.sent["messages"].map((m: { content: { text: string }[] }) => m.content[0]!.text)).toEqual(["first", "Echo: first", "third"]);
  });

  it("after a profile switch, reasoning from the other model is not sent", async () => {
    const history: Message[] = [];
    await turn(profile("Claude 3.7 Sonnet"), history, "think first");
    const next = await turn(profile("Amazon Nova Pro"), history, "now you");
    expect(next.result.status).toBe("complete");
    expect(next.sent["messages"][1]).toEqual({ role: "assistant", content: [{ text: "Echo: think first" }] });
  });

  it("a stopped answer keeps its partial text, stops the Bedrock stream, and is replayed without unsigned reasoning", async () => {
    const claude = profile("Claude 3.7 Sonnet");
    const controller = new AbortController();
    env.emulator.enqueue({ blocks: [{ reasoning: "long thought" }, { text: "one two three four five six seven eight" }], deltas: 8, delayMs: 40 });
    const history: Message[] = [];
    const events: TurnEvent[] = [];
    let result: TurnResult | undefined;
    const input = user("count");
    for await (const event of runTurn({ provider, profile: claude, history, input, settings: resolveSettings(claude), signal: controller.signal })) {
      events.push(event);
      if (event.type === "text" && events.filter((e) => e.type === "text").length === 2) controller.abort();
      if (event.type === "done") result = event.result;
    }
    history.push(input, ...result!.messages);
    expect(result!.status).toBe("stopped");
    expect(result!.stopReason).toBe("stopped");
    // 8 deltas of 5 characters; we stopped after the second.
    expect(result!.text).toBe("one two th");
    await new Promise((r) => setTimeout(r, 100));
    expect(env.emulator.requests[0]!.completed).toBe(false);
    const next = await turn(claude, history, "go on");
    expect(next.sent["messages"][1].content).toEqual([
      { reasoningContent: { reasoningText: { text: "long thought", signature: expect.any(String) } } },
      { text: "one two th" },
    ]);
  });

  it("a mid-stream exception keeps the text streamed so far and reports the error", async () => {
    env.emulator.enqueue({ blocks: [{ text: "a b c d e f" }], deltas: 6, streamException: { afterDeltas: 3, type: "modelStreamErrorException", message: "The model stream failed." } });
    const { result } = await turn(profile("Amazon Nova Pro"), [], "q");
    expect(result.status).toBe("error");
    expect(result.text).toBe("a b c ");
    expect(result.error).toBeInstanceOf(ChatError);
    expect(result.error!.code).toBe("model_error");
    expect(result.error!.message).toBe("The model failed while answering. Retry. Bedrock said: The model stream failed.");
    expect(result.error!.providerMessage).toBe("The model stream failed.");
  });
});

describe("errors become typed, readable errors", () => {
  const fail = async (type: string, status: number, message: string) => {
    env.emulator.enqueue({ error: { type, status, message } });
    const { result, events } = await turn(profile("Amazon Nova Pro"), [], "q");
    expect(events.at(-2)).toEqual({ type: "error", error: result.error });
    return result.error!;
  };

  it("access denied says to enable model access in that region", async () => {
    env.emulator.deny("amazon.nova-pro-v1:0");
    const { result } = await turn(profile("Amazon Nova Pro"), [], "q");
    expect(result.error!.code).toBe("access_denied");
    expect(result.error!.message).toMatch(/Enable access to this model in the Amazon Bedrock console \(Model access\) for region us-west-2/);
  });

  it("validation errors pass Bedrock's message through", async () => {
    const error = await fail("ValidationException", 400, "The model returned the following errors: something specific");
    expect(error.code).toBe("validation");
    expect(error.message).toBe("Bedrock rejected the request: The model returned the following errors: something specific");
  });

  it("context overflow says to start a new chat or remove attachments", async () => {
    const { result } = await turn(profile("Amazon Nova Micro"), [], "x".repeat(600_000));
    expect(result.error!.code).toBe("context_overflow");
    expect(result.error!.message).toMatch(/Start a new chat, or remove attachments/);
  });

  it("throttling without retries left is throttled and retryable", async () => {
    const error = await fail("ThrottlingException", 429, "Too many requests, please wait before trying again.");
    expect(error).toMatchObject({ code: "throttled", retryable: true });
  });

  it("transient 5xx is unavailable and retryable", async () => {
    const error = await fail("ServiceUnavailableException", 503, "The service isn't currently available. Try again later.");
    expect(error).toMatchObject({ code: "unavailable", retryable: true });
  });

  it("throttling and 5xx are retried by the SDK's retry strategy (AWS_MAX_ATTEMPTS)", async () => {
    process.env["AWS_MAX_ATTEMPTS"] = "3";
    const retrying = new BedrockProvider(new BedrockClients());
    try {
      env.emulator.enqueue(
        { error: { type: "ThrottlingException", status: 429, message: "Too many requests, please wait before trying again." } },
        { error: { type: "InternalServerException", status: 500, message: "An internal server error occurred. Retry your request." } },
      );
      const { result } = await turn(profile("Amazon Nova Pro"), [], "q", { provider: retrying });
      expect(result.status).toBe("complete");
      expect(env.emulator.requests.map((r) => r.status)).toEqual([429, 500, 200]);
      expect(env.emulator.requests.map((r) => r.headers["amz-sdk-request"])).toEqual(["attempt=1; max=3", "attempt=2; max=3", "attempt=3; max=3"]);
    } finally {
      process.env["AWS_MAX_ATTEMPTS"] = "1";
      retrying.clients.destroy();
    }
  });

  it("missing credentials say how to provide them", async () => {
    const saved = { ...process.env };
    for (const key of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"]) delete process.env[key];
    process.env["AWS_SHARED_CREDENTIALS_FILE"] = "/nonexistent/credentials";
    process.env["AWS_CONFIG_FILE"] = "/nonexistent/config";
    const noCredentials = new BedrockProvider(new BedrockClients());
    try {
      const { result } = await turn(profile("Amazon Nova Pro"), [], "q", { provider: noCredentials });
      expect(result.error!.code).toBe("credentials");
      expect(result.error!.message).toMatch(/set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/);
    } finally {
      Object.assign(process.env, saved);
      noCredentials.clients.destroy();
    }
  });

  it("max_characters_parameter caps the message before any call", async () => {
    const { result } = await turn(profile("Amazon Nova Pro"), [], "x".repeat(11), { limits: { maxCharacters: 10 } });
    expect(result.error!.code).toBe("input_too_long");
    expect(result.error!.message).toBe("Your message is 11 characters long; the limit is 10 (max_characters_parameter in config.json). Shorten it or split it into several messages.");
    expect(env.emulator.requests).toHaveLength(0);
  });
});

describe("cost and regions", () => {
  it("costs each turn from Bedrock's usage at the configured prices", async () => {
    env.emulator.enqueue({ blocks: [{ text: "ok" }], usage: { inputTokens: 1000, outputTokens: 2000 } });
    const { result, events } = await turn(profile("Amazon Nova Micro"), [], "q");
    expect(result.cost).toEqual({ input: "0.000035", cacheRead: "0", cacheWrite: "0", output: "0.00028", total: "0.000315" });
    expect(events.find((e) => e.type === "usage")).toMatchObject({ cost: { total: "0.000315" } });
  });

  it("calls each profile's region with one client per region", async () => {
    const clients = new BedrockClients();
    const p = new BedrockProvider(clients);
    const east = { ...profile("Amazon Nova Pro"), region: "us-east-1" };
    await turn(east, [], "a", { provider: p });
    await turn(profile("Amazon Nova Pro"), [], "b", { provider: p });
    await turn(east, [], "c", { provider: p });
    expect(env.emulator.requests.map((r) => r.region)).toEqual(["us-east-1", "us-west-2", "us-east-1"]);
    expect(clients.forRegion("us-east-1")).toBe(clients.forRegion("us-east-1"));
    clients.destroy();
  });
});

describe("tool loop: parallel calls and the round cap", () => {
  /** Tools that take a while, so parallel calls show in the elapsed time. */
  const slow: ToolExecutor = {
    specs: [{ name: "wait", description: "waits", inputSchema: { type: "object", properties: { ms: { type: "number" } } } }],
    async call(_name, input) {
      await new Promise((r) => setTimeout(r, (input as { ms: number }).ms));
      return { status: "success", content: [{ type: "text", text: `waited ${(input as { ms: number }).ms}` }] };
    },
  };

  it("runs several tool calls of one round in parallel, tells each result when it is in, and sends them back in the model's order", async () => {
    const nova = profile("Amazon Nova Pro");
    env.emulator.enqueue({ blocks: [{ toolUse: { id: "a", name: "wait", input: { ms: 300 } } }, { toolUse: { id: "b", name: "wait", input: { ms: 300 } } }, { toolUse: { id: "c", name: "wait", input: { ms: 100 } } }] });
    const started = Date.now();
    const { events } = await turn(nova, [], "wait three times", { tools: slow });
    expect(Date.now() - started).toBeLessThan(800);
    const told = events.filter((e) => e.type === "toolResult").map((e) => (e as { result: { toolUseId: string } }).result.toolUseId);
    expect(told[0]).toBe("c");
    expect([...told].sort()).toEqual(["a", "b", "c"]);
    const sentBack = (withoutCachePoints(env.emulator.requests.at(-1)!.body)["messages"] as { content: { toolResult?: { toolUseId: string } }[] }[]).at(-1)!.content;
    expect(sentBack.map((b) => b.toolResult?.toolUseId)).toEqual(["a", "b", "c"]);
  });

  it("after the cap of tool rounds, one final call without tools and with thinking off answers, with a notice", async () => {
    const sonnet = profile("Claude 3.7 Sonnet");
    for (let i = 0; i < 3; i++) env.emulator.enqueue({ blocks: [{ reasoning: `round ${i}` }, { toolUse: { id: `t${i}`, name: "wait", input: { ms: 1 } } }] });
    const { events, result } = await turn(sonnet, [], "keep calling", { tools: slow, maxToolRounds: 2 });
    const calls = env.emulator.requests.slice(-4).map((r) => r.body);
    expect(calls.map((c) => c["toolConfig"] !== undefined)).toEqual([true, true, true, false]);
    expect(calls.at(-1)!["additionalModelRequestFields"]).toBeUndefined();
    expect(JSON.stringify(calls.at(-1)!["messages"])).toContain("[Called tool wait with input");
    expect(events.filter((e) => e.type === "toolResult")).toHaveLength(2);
    expect(events.find((e) => e.type === "notice")).toMatchObject({ message: expect.stringMatching(/the most allowed is 2/) });
    expect(result.status).toBe("complete");
    expect(result.text).not.toBe("");
  });
});
