import { BedrockRuntimeClient, ConverseCommand, ConverseStreamCommand, type ConverseCommandInput } from "@aws-sdk/client-bedrock-runtime";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signReasoning } from "./emulator/faults.js";
import * as files from "./fixtures/files.js";
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

describe("Bedrock emulator: images and documents (reference 1.3 limits, 10.4 S3 sources)", () => {
  const NOVA = "us.amazon.nova-pro-v1:0";
  type Block = NonNullable<ConverseCommandInput["messages"]>[number]["content"] extends (infer B)[] | undefined ? B : never;
  const image = (format: "png" | "jpeg" | "gif" | "webp", bytes: Uint8Array): Block => ({ image: { format, source: { bytes } } });
  const document = (name: string, format: "pdf" | "csv" | "doc" | "docx" | "xls" | "xlsx" | "html" | "txt" | "md", bytes: Uint8Array): Block => ({ document: { name, format, source: { bytes } } });
  const withText = (...blocks: Block[]) => ({ messages: [{ role: "user" as const, content: [...blocks, { text: "What is in these files?" }] }] });
  const s3Image = (uri: string, bucketOwner?: string): Block => ({ image: { format: "png", source: { s3Location: { uri, ...(bucketOwner ? { bucketOwner } : {}) } } } });
  const s3Document = (uri: string, bucketOwner?: string): Block => ({ document: { name: "report", format: "pdf", source: { s3Location: { uri, ...(bucketOwner ? { bucketOwner } : {}) } } } });
  /** A PNG header declaring the given size followed by padding: the emulator reads headers, it does not decode. */
  const padded = (png: Uint8Array, total: number) => Buffer.concat([png, Buffer.alloc(total - png.length)]);
  const accepted = async (modelId: string, input: Partial<ConverseCommandInput>) => {
    const out = await client.send(new ConverseCommand({ modelId, ...input } as ConverseCommandInput));
    expect(out.output?.message?.role).toBe("assistant");
    return env.emulator.requests.at(-1)!.body as { messages: Array<{ content: Array<Record<string, any>> }> };
  };

  it("accepts every image and document format as bytes, and records the exact blocks", async () => {
    const samples = await files.acceptedSamples();
    const images = samples.filter((s) => s.kind === "image").map((s) => image(s.format as "png", s.bytes));
    const docs = samples.filter((s) => s.kind === "document");
    await accepted(NOVA, withText(...images));
    for (const group of [docs.slice(0, 5), docs.slice(5)]) {
      const body = await accepted(NOVA, withText(...group.map((d, k) => document(`doc ${k} ${d.format}`, d.format as "pdf", d.bytes))));
      expect(body.messages[0]!.content.slice(0, group.length)).toEqual(
        group.map((d, k) => ({ document: { name: `doc ${k} ${d.format}`, format: d.format, source: { bytes: Buffer.from(d.bytes).toString("base64") } } })),
      );
    }
  });

  it("accepts an image of exactly 3.75 MB (3,750,000 bytes) and exactly 8,000 px per side", async () => {
    await accepted(NOVA, withText(image("png", padded(await files.png(10, 10), 3_750_000))));
    await accepted(NOVA, withText(image("png", await files.widePng(8_000, 4))));
  });

  it("refuses an image over 3.75 MB (3,750,001 bytes) (text unverified in the reference)", async () => {
    expect(await rejection({ modelId: NOVA, ...withText(image("png", padded(await files.png(10, 10), 3_750_001))) })).toEqual({
      name: "ValidationException",
      message: "The image exceeds the maximum size of 3.75 MB / dimensions 8000x8000.",
    });
  });

  it.each<[string, "png" | "jpeg" | "gif" | "webp", () => Promise<Uint8Array>]>([
    ["a PNG 8,001 px wide", "png", () => files.widePng(8_001, 4)],
    ["a JPEG 8,001 px tall (SOF marker after APP segments)", "jpeg", () => sharp({ create: { width: 4, height: 8_001, channels: 3, background: "#123456" } }).withMetadata().jpeg().toBuffer()],
    ["a GIF 8,001 px wide", "gif", () => sharp({ create: { width: 8_001, height: 2, channels: 3, background: "#123456" } }).gif().toBuffer()],
    ["a lossy WebP (VP8) 8,001 px wide", "webp", () => sharp({ create: { width: 8_001, height: 2, channels: 3, background: "#123456" } }).webp().toBuffer()],
    ["a lossless WebP (VP8L) 8,001 px wide", "webp", () => sharp({ create: { width: 8_001, height: 2, channels: 3, background: "#123456" } }).webp({ lossless: true }).toBuffer()],
    ["an extended WebP (VP8X, alpha) 8,001 px tall", "webp", () => sharp({ create: { width: 2, height: 8_001, channels: 4, background: { r: 1, g: 2, b: 3, alpha: 0.5 } } }).webp().toBuffer()],
  ])("refuses an image over 8,000 px per side: %s (text unverified in the reference)", async (_what, format, make) => {
    expect(await rejection({ modelId: NOVA, ...withText(image(format, await make())) })).toEqual({
      name: "ValidationException",
      message: "The image exceeds the maximum size of 3.75 MB / dimensions 8000x8000.",
    });
  });

  it("reads the declared size of each image format from its header", async () => {
    const { imageDimensions } = await import("./emulator/validate.js");
    const create = (width: number, height: number) => sharp({ create: { width, height, channels: 3, background: "#123456" } });
    expect(imageDimensions(Buffer.from(await create(123, 45).png().toBuffer()))).toEqual({ width: 123, height: 45 });
    expect(imageDimensions(Buffer.from(await create(123, 45).jpeg().withMetadata().toBuffer()))).toEqual({ width: 123, height: 45 });
    expect(imageDimensions(Buffer.from(await create(123, 45).gif().toBuffer()))).toEqual({ width: 123, height: 45 });
    expect(imageDimensions(Buffer.from(await create(123, 45).webp().toBuffer()))).toEqual({ width: 123, height: 45 });
    expect(imageDimensions(Buffer.from(await create(123, 45).webp({ lossless: true }).toBuffer()))).toEqual({ width: 123, height: 45 });
    expect(imageDimensions(Buffer.from([1, 2, 3]))).toBeUndefined();
  });

  it("accepts a document of exactly 4.5 MB and refuses one over it (text unverified in the reference)", async () => {
    const pdf = files.pdf();
    await accepted(NOVA, withText(document("big", "pdf", Buffer.concat([pdf, Buffer.alloc(4_500_000 - pdf.length, 0x20)]))));
    expect(await rejection({ modelId: NOVA, ...withText(document("big", "pdf", files.largePdf(4_500_001))) })).toEqual({
      name: "ValidationException",
      message: "The document exceeds the maximum size of 4.5 MB.",
    });
    expect(await rejection({ modelId: NOVA, ...withText(document("big", "txt", files.largeText(5_000_000))) })).toEqual({
      name: "ValidationException",
      message: "The document exceeds the maximum size of 4.5 MB.",
    });
  });

  it("refuses images on a model without vision: This model doesn't support images. (text unverified in the reference)", async () => {
    expect(await rejection({ modelId: "openai.gpt-oss-20b-1:0", ...withText(image("png", await files.png())) })).toEqual({
      name: "ValidationException",
      message: "This model doesn't support images.",
    });
  });

  it("refuses images in a tool result on a model without vision (text unverified in the reference)", async () => {
    const tools = { tools: [{ toolSpec: { name: "f", inputSchema: { json: { type: "object" } } } }] };
    const messages = [
      u("q"),
      { role: "assistant" as const, content: [{ toolUse: { toolUseId: "t1", name: "f", input: {} } }] },
      { role: "user" as const, content: [{ toolResult: { toolUseId: "t1", content: [{ image: { format: "png" as const, source: { bytes: await files.png() } } }] } }] },
    ];
    expect(await rejection({ modelId: "openai.gpt-oss-20b-1:0", messages, toolConfig: tools })).toEqual({ name: "ValidationException", message: "This model doesn't support images." });
  });

  it("refuses documents on a model without document chat (Nova Micro): This model doesn't support documents. (text unverified in the reference)", async () => {
    expect(await rejection({ modelId: "us.amazon.nova-micro-v1:0", ...withText(document("report", "pdf", files.pdf())) })).toEqual({
      name: "ValidationException",
      message: "This model doesn't support documents.",
    });
  });

  it("emulator follows the reference note: s3Location sources are accepted on Nova Premier, Pro and Lite, with or without bucketOwner", async () => {
    for (const modelId of ["us.amazon.nova-premier-v1:0", NOVA, "amazon.nova-lite-v1:0"]) {
      const body = await accepted(modelId, withText(s3Image("s3://my-bucket/owner-1/photo.png", "123456789012"), s3Document("s3://my-bucket/owner-1/report.pdf")));
      expect(body.messages[0]!.content.slice(0, 2)).toEqual([
        { image: { format: "png", source: { s3Location: { uri: "s3://my-bucket/owner-1/photo.png", bucketOwner: "123456789012" } } } },
        { document: { name: "report", format: "pdf", source: { s3Location: { uri: "s3://my-bucket/owner-1/report.pdf" } } } },
      ]);
    }
  });

  it.each<[string, Block, string]>([
    ["uri not s3://", s3Image("https://my-bucket.s3.amazonaws.com/photo.png"), "Value 'https://my-bucket.s3.amazonaws.com/photo.png' at 'messages.1.member.content.1.member.image.source.s3Location.uri'"],
    ["bucket name with capitals", s3Image("s3://My-Bucket/photo.png"), "Value 's3://My-Bucket/photo.png' at 'messages.1.member.content.1.member.image.source.s3Location.uri'"],
    ["bucket name of 2 characters", s3Document("s3://ab/report.pdf"), "Value 's3://ab/report.pdf' at 'messages.1.member.content.1.member.document.source.s3Location.uri'"],
  ])("refuses an s3Location uri off the model's pattern: %s", async (_what, block, where) => {
    const error = await rejection({ modelId: NOVA, ...withText(block) });
    expect(error.name).toBe("ValidationException");
    expect(error.message).toBe(`1 validation error detected: ${where} failed to satisfy constraint: Member must satisfy regular expression pattern: s3://[a-z0-9][\\.\\-a-z0-9]{1,61}[a-z0-9](/.*)?`);
  });

  it.each(["12345678901", "1234567890123", "12345678901a"])("refuses a bucketOwner that is not 12 digits: %s", async (owner) => {
    expect(await rejection({ modelId: NOVA, ...withText(s3Image("s3://my-bucket/photo.png", owner)) })).toEqual({
      name: "ValidationException",
      message: `1 validation error detected: Value '${owner}' at 'messages.1.member.content.1.member.image.source.s3Location.bucketOwner' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9]{12}`,
    });
  });

  it("emulator follows the reference note: Claude refuses an S3 image with the recorded s3Uri text", async () => {
    expect(await rejection(withText(s3Image("s3://my-bucket/photo.png")))).toEqual({
      name: "ValidationException",
      message: "This model doesn't support the s3Uri field. Remove s3Uri and try again.",
    });
  });

  it("emulator follows the reference note: Claude refuses an S3 document with the recorded provider text", async () => {
    expect(await rejection(withText(s3Document("s3://my-bucket/report.pdf")))).toEqual({
      name: "ValidationException",
      message: "The model returned the following errors: messages.0.content.0.document.source.type: Field required",
    });
  });

  it("emulator follows the reference note: other models without S3 links (Llama 4, Nova Micro images aside) refuse S3 sources (text unverified in the reference)", async () => {
    expect(await rejection({ modelId: "us.meta.llama4-scout-17b-instruct-v1:0", ...withText(s3Image("s3://my-bucket/photo.png")) })).toEqual({
      name: "ValidationException",
      message: "This model doesn't support the s3Uri field. Remove s3Uri and try again.",
    });
  });

  it("counts a file's tokens by what the model reads, not its base64: a 3.7 MB photo fits Claude's context, a 4 MB text does not", async () => {
    const { estimateInputTokens } = await import("./emulator/validate.js");
    const photo = padded(await files.png(4_000, 3_000), 3_700_000);
    const text = estimateInputTokens({ messages: [u("hi")] });
    const wire = { messages: [{ role: "user", content: [{ image: { format: "png", source: { bytes: photo.toString("base64") } } }, { text: "hi" }] }] };
    expect(estimateInputTokens(wire)).toBeLessThanOrEqual(text + 1_600 + 20);
    await accepted(CLAUDE, withText(image("png", photo)));
    expect(await rejection(withText(document("long", "txt", files.largeText(4_000_000))))).toEqual({ name: "ValidationException", message: "Input is too long for requested model." });
  });

  it("a refused file request is recorded with status 400 and never answered", async () => {
    await rejection({ modelId: NOVA, ...withText(image("png", padded(await files.png(10, 10), 3_750_001))) });
    expect(env.emulator.requests.map((r) => [r.status, r.completed])).toEqual([[400, false]]);
  });
});

describe("Bedrock emulator: tool schemas and tool results (reference 10.1, 10.3)", () => {
  const NOVA = "us.amazon.nova-pro-v1:0";
  const LLAMA = "us.meta.llama4-scout-17b-instruct-v1:0";
  type Tool = NonNullable<NonNullable<ConverseCommandInput["toolConfig"]>["tools"]>[number];
  const tool = (name: string, json: Record<string, unknown>, description?: string): Tool => ({ toolSpec: { name, ...(description !== undefined ? { description } : {}), inputSchema: { json: json as never } } });
  /** A harmless first tool, so that the offending one is at index 1 (0-based) / 2 (1-based). */
  const first = tool("first", { type: "object", properties: { a: { type: "string" } } }, "The first tool");
  const withTools = (modelId: string, ...tools: Tool[]): Partial<ConverseCommandInput> => ({ modelId, toolConfig: { tools } });
  const accepted = async (input: Partial<ConverseCommandInput>) => {
    const out = await client.send(new ConverseCommand({ modelId: CLAUDE, messages: [u("hi")], ...input } as ConverseCommandInput));
    expect(out.output?.message?.role).toBe("assistant");
  };
  /** `n` parameters each with a union type: type lists and anyOf alternately. */
  const unionProperties = (n: number, prefix: string) =>
    Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${i}`, i % 2 === 0 ? { type: ["string", "number"] } : { anyOf: [{ type: "string" }, { type: "integer" }] }]));

  it.each<[string, unknown, string, string]>([
    ["null", null, "$.properties", "null found"],
    ["a list", [{ type: "string" }], "$.properties", "array found"],
    ["a string", "a, b", "$.properties", "string found"],
    ["an integer", 1, "$.properties", "integer found"],
  ])("any model: properties must be an object (Bedrock's meta-validation, $.properties: null found, object expected): properties %s", async (_what, properties, at, found) => {
    for (const modelId of [CLAUDE, NOVA, LLAMA]) {
      expect(await rejection(withTools(modelId, first, tool("f", { type: "object", properties })))).toEqual({
        name: "ValidationException",
        message: `The json schema definition at toolConfig.tools.1.toolSpec.inputSchema is invalid. Fix the following errors and try again: ${at}: ${found}, object expected`,
      });
    }
  });

  it("any model: properties must be an object in nested schemas too (emulator's stricter reading: the reference records the root only)", async () => {
    const json = { type: "object", properties: { options: { type: "object", properties: null } } };
    expect(await rejection(withTools(NOVA, tool("f", json)))).toEqual({
      name: "ValidationException",
      message: "The json schema definition at toolConfig.tools.0.toolSpec.inputSchema is invalid. Fix the following errors and try again: $.properties.options.properties: null found, object expected",
    });
  });

  it.each<[string, Record<string, unknown>]>([
    ["at the root (MCP servers send {})", { type: "object", properties: { a: { type: "string" } }, required: {} }],
    ["in a nested object (same text assumed)", { type: "object", properties: { options: { type: "object", properties: { hourly: { type: "boolean" } }, required: {} } } }],
    ["as a string, inside anyOf", { type: "object", properties: { x: { anyOf: [{ type: "object", required: "a" }, { type: "string" }] } } }],
  ])("Claude: required must be a list (tools.k.custom.input_schema.required: Input should be a valid list): %s", async (_what, json) => {
    expect(await rejection(withTools(CLAUDE, first, tool("f", json)))).toEqual({
      name: "ValidationException",
      message: "The model returned the following errors: tools.1.custom.input_schema.required: Input should be a valid list",
    });
  });

  it.each<[string, string, Record<string, unknown>]>([
    ["into $defs", "#/$defs/City", { type: "object", $defs: { Town: { type: "string" } }, properties: { city: { $ref: "#/$defs/City" } } }],
    ["into definitions, from a nested item", "#/definitions/Tag", { type: "object", properties: { tags: { type: "array", items: { $ref: "#/definitions/Tag" } } } }],
    ["outside the schema (a URL)", "https://example.com/city.json", { type: "object", properties: { city: { $ref: "https://example.com/city.json" } } }],
  ])("Claude: a $ref must point to a definition that exists (tools.k.custom: Invalid schema: Reference to non-existent definition): %s", async (_what, ref, json) => {
    expect(await rejection(withTools(CLAUDE, first, tool("f", json)))).toEqual({
      name: "ValidationException",
      message: `The model returned the following errors: tools.1.custom: Invalid schema: Reference to non-existent definition: ${ref}`,
    });
  });

  it("Claude: $ref into $defs, additionalProperties and properties: {} are accepted (recorded)", async () => {
    await accepted(
      withTools(
        CLAUDE,
        tool("f", { type: "object", $defs: { City: { type: "string" } }, properties: { city: { $ref: "#/$defs/City" }, any: {} }, additionalProperties: false }),
        tool("g", { type: "object", properties: {} }),
      ),
    );
  });

  it("Claude: at most 16 parameters with union types over all tools (Schemas contains too many parameters with union types; the text after the count is cut in the reference)", async () => {
    await accepted(withTools(CLAUDE, tool("f", { type: "object", properties: unionProperties(8, "a") }), tool("g", { type: "object", properties: unionProperties(8, "b") })));
    expect(await rejection(withTools(CLAUDE, tool("f", { type: "object", properties: unionProperties(8, "a") }), tool("g", { type: "object", properties: { ...unionProperties(8, "b"), nested: { type: "object", properties: { deep: { type: ["string", "null"] } } } } })))).toEqual({
      name: "ValidationException",
      message: "The model returned the following errors: Schemas contains too many parameters with union types (17 parameters with type arrays or anyOf). ...",
    });
  });

  it.each(["definitions", "$defs"])("Nova: no %s at the schema root (Malformed input request: ... extraneous key [definitions] is not permitted)", async (key) => {
    const json = { type: "object", [key]: { City: { type: "string" } }, properties: { city: { $ref: `#/${key}/City` } } };
    expect(await rejection(withTools(NOVA, first, tool("f", json)))).toEqual({
      name: "ValidationException",
      message: `The model returned the following errors: Malformed input request: #/toolConfig/tools/1/toolSpec/inputSchema/json: extraneous key [${key}] is not permitted, please reformat your input and try again.`,
    });
  });

  it("Nova: root additionalProperties and properties: {} are accepted (recorded)", async () => {
    await accepted(withTools(NOVA, tool("f", { type: "object", properties: {}, additionalProperties: false })));
  });

  it("any model: toolSpec.description must not be empty (Member must have length greater than or equal to 1, 1-based path)", async () => {
    for (const modelId of [CLAUDE, NOVA]) {
      expect(await rejection(withTools(modelId, first, tool("f", { type: "object" }, "")))).toEqual({
        name: "ValidationException",
        message: "1 validation error detected: Value '' at 'toolConfig.tools.2.member.toolSpec.description' failed to satisfy constraint: Member must have length greater than or equal to 1",
      });
    }
  });

  it.each<[string, unknown]>([
    ["a list", [1, 2]],
    ["a string", "sunny"],
    ["a number", 21.5],
    ["a boolean", true],
  ])("any model: a toolResult json must be an object (The format of the value at messages.i.content.j.toolResult.content.n.json is invalid): %s", async (_what, json) => {
    const f = tool("f", { type: "object" });
    const messages = (second: unknown) => [
      u("q"),
      { role: "assistant" as const, content: [{ toolUse: { toolUseId: "t1", name: "f", input: {} } }, { toolUse: { toolUseId: "t2", name: "f", input: {} } }] },
      { role: "user" as const, content: [{ toolResult: { toolUseId: "t1", content: [{ json: { ok: true } }] } }, { toolResult: { toolUseId: "t2", content: [{ text: "result:" }, { json: second as never }] } }] },
    ];
    for (const modelId of [CLAUDE, NOVA]) {
      expect(await rejection({ modelId, messages: messages(json), toolConfig: { tools: [f] } })).toEqual({
        name: "ValidationException",
        message: "The format of the value at messages.2.content.1.toolResult.content.1.json is invalid. Provide a json object for the field and try again.",
      });
    }
    await accepted({ messages: messages({ value: json }), toolConfig: { tools: [f] } });
  });
});
