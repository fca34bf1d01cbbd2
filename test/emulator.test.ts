import { BedrockRuntimeClient, ConverseCommand, ConverseStreamCommand, type ConverseCommandInput } from "@aws-sdk/client-bedrock-runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signReasoning } from "./emulator/faults.js";
import { useBedrockEmulator } from "./helpers/bedrock-env.js";

/** The emulator must reject what Bedrock rejects, so that a wrong request from the app fails a test. */
const env = useBedrockEmulator();
let client: BedrockRuntimeClient;
beforeAll(() => {
  client = new BedrockRuntimeClient({ region: "us-west-2" });
});
afterAll(() => client.destroy());

const CLAUDE = "us.anthropic.claude-3-7-sonnet-20250219-v1:0";
const u = (text: string) => ({ role: "user" as const, content: [{ text }] });
const a = (text: string) => ({ role: "assistant" as const, content: [{ text }] });
const thinking = (budget = 2048) => ({ thinking: { type: "enabled", budget_tokens: budget } });

async function rejection(input: Partial<ConverseCommandInput>, region?: string): Promise<{ name: string; message: string }> {
  const c = region ? new BedrockRuntimeClient({ region }) : client;
  try {
    await c.send(new ConverseCommand({ modelId: CLAUDE, messages: [u("hi")], ...input } as ConverseCommandInput));
  } catch (error) {
    return { name: (error as Error).name, message: (error as Error).message };
  } finally {
    if (region) c.destroy();
  }
  throw new Error("expected the emulator to reject the request");
}

describe("Bedrock emulator: accepted requests over the real wire protocol", () => {
  it("answers Converse with JSON and ConverseStream with eventstream frames the SDK decodes", async () => {
    const plain = await client.send(new ConverseCommand({ modelId: "us.amazon.nova-pro-v1:0", messages: [u("ping")] }));
    expect(plain.output?.message?.content?.[0]?.text).toBe("Echo: ping");
    expect(plain.usage?.inputTokens).toBeGreaterThan(0);
    env.emulator.enqueue({ blocks: [{ reasoning: "hmm" }, { text: "a b c" }], deltas: 3 });
    const streamed = await client.send(new ConverseStreamCommand({ modelId: CLAUDE, messages: [u("ping")], additionalModelRequestFields: thinking(), inferenceConfig: { maxTokens: 4096 } }));
    const kinds: string[] = [];
    for await (const event of streamed.stream!) kinds.push(Object.keys(event).filter((k) => k !== "$unknown")[0]!);
    expect(kinds).toEqual(["messageStart", ...Array(3).fill("contentBlockDelta"), "contentBlockDelta", "contentBlockStop", ...Array(3).fill("contentBlockDelta"), "contentBlockStop", "messageStop", "metadata"]);
    expect(env.emulator.requests.map((r) => [r.operation, r.region])).toEqual([["converse", "us-west-2"], ["converse-stream", "us-west-2"]]);
  });

  it("accepts reasoning replayed with the signature it gave", async () => {
    const history = [u("q"), { role: "assistant" as const, content: [{ reasoningContent: { reasoningText: { text: "r", signature: signReasoning("anthropic", "r") } } }, { text: "a" }] }, u("q2")];
    await expect(client.send(new ConverseCommand({ modelId: CLAUDE, messages: history, additionalModelRequestFields: thinking(), inferenceConfig: { maxTokens: 4096 } }))).resolves.toBeTruthy();
  });
});

describe("Bedrock emulator: rejects what Bedrock rejects", () => {
  it.each<[string, Partial<ConverseCommandInput>, RegExp]>([
    ["unknown model", { modelId: "acme.nothing-v1:0" }, /^The provided model identifier is invalid\.$/],
    ["profile-only model by base id", { modelId: "anthropic.claude-3-7-sonnet-20250219-v1:0" }, /with on-demand throughput isn’t supported/],
    ["first message not user", { messages: [a("x"), u("y")] }, /must start with a user message/],
    ["roles not alternating", { messages: [u("x"), u("y")] }, /must alternate between user and assistant roles/],
    ["empty content", { messages: [{ role: "user", content: [] }] }, /The content field in the Message object at messages\.0 is empty/],
    ["blank text", { messages: [u("")] }, /The text field in the ContentBlock object at messages\.0\.content\.0 is blank/],
    ["empty system text", { system: [{ text: "" }] }, /at 'system\.1\.member\.text' failed to satisfy constraint/],
    ["temperature above 1", { inferenceConfig: { temperature: 1.5 } }, /Value '1\.5' at 'inferenceConfig\.temperature' failed to satisfy constraint: Member must have value less than or equal to 1/],
    ["maxTokens above the model limit", { inferenceConfig: { maxTokens: 100000 } }, /exceeds the model limit of 64000/],
    ["budget below 1024", { additionalModelRequestFields: thinking(1000), inferenceConfig: { maxTokens: 4096 } }, /budget_tokens: Input should be greater than or equal to 1024/],
    ["budget not below maxTokens", { additionalModelRequestFields: thinking(4096), inferenceConfig: { maxTokens: 4096 } }, /`max_tokens` must be greater than `thinking\.budget_tokens`/],
    ["temperature while thinking", { additionalModelRequestFields: thinking(), inferenceConfig: { maxTokens: 4096, temperature: 0.5 } }, /`temperature` may only be set to 1 when thinking is enabled/],
    ["topP below 0.95 while thinking", { additionalModelRequestFields: thinking(), inferenceConfig: { maxTokens: 4096, topP: 0.5 } }, /`top_p` must be greater than or equal to 0\.95/],
    ["interleaved beta on a model without it", { additionalModelRequestFields: { ...thinking(), anthropic_beta: ["interleaved-thinking-2025-05-14"] }, inferenceConfig: { maxTokens: 4096 } }, /invalid beta flag/],
    ["reasoning_effort on Claude", { additionalModelRequestFields: { reasoning_effort: "low" } }, /reasoning_effort: Extra inputs are not permitted/],
    ["thinking on an OpenAI model", { modelId: "openai.gpt-oss-20b-1:0", additionalModelRequestFields: thinking() }, /Unknown parameter: 'thinking'/],
    ["any parameter on DeepSeek R1", { modelId: "us.deepseek.r1-v1:0", additionalModelRequestFields: { reasoning_effort: "low" } }, /Unknown parameter: 'reasoning_effort'/],
    [
      "reasoning without its signature",
      { messages: [u("q"), { role: "assistant", content: [{ reasoningContent: { reasoningText: { text: "r" } } }, { text: "a" }] }, u("q2")] },
      /thinking\.signature: Field required/,
    ],
    [
      "altered reasoning in the latest assistant message",
      { messages: [u("q"), { role: "assistant", content: [{ reasoningContent: { reasoningText: { text: "r (edited)", signature: signReasoning("anthropic", "r") } } }, { text: "a" }] }, u("q2")] },
      /thinking or redacted_thinking blocks in the latest assistant message cannot be modified/,
    ],
    [
      "reasoning sent to a model that does not reason",
      { modelId: "us.amazon.nova-pro-v1:0", messages: [u("q"), { role: "assistant", content: [{ reasoningContent: { reasoningText: { text: "r", signature: "x" } } }, { text: "a" }] }, u("q2")] },
      /reasoning content is not supported by this model/,
    ],
    [
      "toolUse without toolConfig",
      { messages: [u("q"), { role: "assistant", content: [{ toolUse: { toolUseId: "t1", name: "f", input: {} } }] }, { role: "user", content: [{ toolResult: { toolUseId: "t1", content: [{ text: "r" }] } }] }] },
      /The toolConfig field must be defined/,
    ],
    [
      "toolUse not answered",
      {
        messages: [u("q"), { role: "assistant", content: [{ toolUse: { toolUseId: "t1", name: "f", input: {} } }] }, u("no result")],
        toolConfig: { tools: [{ toolSpec: { name: "f", inputSchema: { json: { type: "object" } } } }] },
      },
      /Expected toolResult blocks at messages\.2\.content for the following Ids: t1/,
    ],
    [
      "thinking with a final tool-use turn that does not start with reasoning",
      {
        messages: [u("q"), { role: "assistant", content: [{ text: "x" }, { toolUse: { toolUseId: "t1", name: "f", input: {} } }] }, { role: "user", content: [{ toolResult: { toolUseId: "t1", content: [{ text: "r" }] } }] }],
        toolConfig: { tools: [{ toolSpec: { name: "f", inputSchema: { json: { type: "object" } } } }] },
        additionalModelRequestFields: thinking(),
        inferenceConfig: { maxTokens: 4096 },
      },
      /Expected `thinking` or `redacted_thinking`, but found `text`/,
    ],
    ["tool schema root not an object", { toolConfig: { tools: [{ toolSpec: { name: "f", inputSchema: { json: { type: "string" } } } }] } }, /inputSchema\.json\.type must be one of the following: object/],
    ["bad document name", { messages: [{ role: "user", content: [{ document: { name: "report.pdf", format: "pdf", source: { bytes: new Uint8Array([1]) } } }, { text: "read" }] }] }, /The document file name can only contain/],
    ["document without text", { messages: [{ role: "user", content: [{ document: { name: "report", format: "pdf", source: { bytes: new Uint8Array([1]) } } }] }] }, /A text block must be included when using documents/],
    ["tools on a model without tool use", { modelId: "deepseek.v3-v1:0", toolConfig: { tools: [{ toolSpec: { name: "f", inputSchema: { json: { type: "object" } } } }] } }, /This model doesn't support tool use/],
    ["input longer than the context window", { modelId: "us.amazon.nova-micro-v1:0", messages: [u("x".repeat(600_000))] }, /^Input is too long for requested model\.$/],
  ])("%s", async (_what, input, message) => {
    const error = await rejection(input);
    expect(error.name).toBe("ValidationException");
    expect(error.message).toMatch(message);
  });

  it("rejects a geographic profile called from a region outside it", async () => {
    expect(await rejection({}, "eu-west-1")).toEqual({ name: "ValidationException", message: "The provided model identifier is invalid." });
  });

  it("denies models without access", async () => {
    env.emulator.deny("anthropic.claude-3-7-sonnet-20250219-v1:0");
    expect(await rejection({})).toEqual({ name: "AccessDeniedException", message: "You don't have access to the model with the specified model ID." });
  });
});
