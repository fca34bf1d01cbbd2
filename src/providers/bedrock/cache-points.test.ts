import type { ContentBlock, ConverseStreamCommandInput, Message } from "@aws-sdk/client-bedrock-runtime";
import { describe, expect, it } from "vitest";
import { cachePlaces, cachePointIndex, MAX_CACHE_POINTS, withCachePoints } from "./cache-points.js";

const CLAUDE = { ttl: "5m", tools: true } as const;
const NOVA = { ttl: "5m", tools: false } as const;
const CP = { cachePoint: { type: "default" } };
const CP_1H = { cachePoint: { type: "default", ttl: "1h" } };

const text = (t: string): ContentBlock => ({ text: t });
const reasoning: ContentBlock = { reasoningContent: { reasoningText: { text: "thinking", signature: "sig" } } };
const redacted: ContentBlock = { reasoningContent: { redactedContent: new Uint8Array([1]) } };
const doc = (format: "pdf" | "txt" | "csv"): ContentBlock => ({ document: { format, name: "notes", source: { bytes: new Uint8Array([1]) } } });
const image: ContentBlock = { image: { format: "png", source: { bytes: new Uint8Array([1]) } } };
const toolUse: ContentBlock = { toolUse: { toolUseId: "t1", name: "add", input: {} } };
const toolResult: ContentBlock = { toolResult: { toolUseId: "t1", content: [{ text: "3" }] } };
const user = (...content: ContentBlock[]): Message => ({ role: "user", content });
const assistant = (...content: ContentBlock[]): Message => ({ role: "assistant", content });
const tools = { tools: [{ toolSpec: { name: "add", inputSchema: { json: {} } } }] };
const request = (messages: Message[], extra: Partial<ConverseStreamCommandInput> = {}): ConverseStreamCommandInput => ({ modelId: "m", messages, ...extra });

describe("prompt-cache checkpoints: where they go in a request", () => {
  it("turn 1: after the tools, after the system prompt, at the end of the question", () => {
    const out = withCachePoints(request([user(text("q1"))], { system: [{ text: "sys" }], toolConfig: tools }), CLAUDE);
    expect(out.toolConfig!.tools).toEqual([tools.tools[0], CP]);
    expect(out.system).toEqual([{ text: "sys" }, CP]);
    expect(out.messages).toEqual([user(text("q1"), CP as ContentBlock)]);
  });

  it("turn 2: the newest question, and the previous turn's question (where turn 1 put its newest checkpoint), so turn 2 reads it", () => {
    const out = withCachePoints(request([user(text("q1")), assistant(text("a1")), user(text("q2"))], { system: [{ text: "sys" }] }), CLAUDE);
    expect(out.messages).toEqual([user(text("q1"), CP as ContentBlock), assistant(text("a1")), user(text("q2"), CP as ContentBlock)]);
  });

  it("a tool round inside a turn: the newest user message is the tool results, and the question before it is still marked", () => {
    const messages = [user(text("q1")), assistant(text("a1")), user(text("q2")), assistant(reasoning, toolUse), user(toolResult)];
    const out = withCachePoints(request(messages, { toolConfig: tools }), CLAUDE);
    // At message level after the toolResult block, never inside its content.
    expect(out.messages![4]).toEqual(user(toolResult, CP as ContentBlock));
    expect(out.messages![2]).toEqual(user(text("q2"), CP as ContentBlock));
    expect(out.messages![0]).toEqual(user(text("q1")));
    expect(out.messages![3]).toEqual(assistant(reasoning, toolUse));
    // And the answer after the tool round: the call before it marked the tool results, which this one reads.
    const next = withCachePoints(request([...messages, assistant(text("a2")), user(text("q3"))], { toolConfig: tools }), CLAUDE);
    expect(next.messages![4]).toEqual(user(toolResult, CP as ContentBlock));
    expect(next.messages![6]).toEqual(user(text("q3"), CP as ContentBlock));
  });

  it("at most four in all, whatever the request holds", () => {
    const long = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? user(text(`q${i}`)) : assistant(text(`a${i}`))));
    const places = cachePlaces(request(long, { system: [{ text: "sys" }], toolConfig: tools }), CLAUDE);
    expect(places).toEqual([{ in: "message", message: 18, at: 1 }, { in: "message", message: 16, at: 1 }, { in: "system" }, { in: "tools" }]);
    expect(places.length).toBeLessThanOrEqual(MAX_CACHE_POINTS);
    const count = (input: ConverseStreamCommandInput) => JSON.stringify(input).split('"cachePoint"').length - 1;
    expect(count(withCachePoints(request(long, { system: [{ text: "sys" }], toolConfig: tools }), CLAUDE))).toBe(4);
  });

  it("none in the tool list for a profile whose model takes none there (Nova): the system prompt's covers the tools", () => {
    const out = withCachePoints(request([user(text("q"))], { system: [{ text: "sys" }], toolConfig: tools }), NOVA);
    expect(out.toolConfig).toEqual(tools);
    expect(out.system).toEqual([{ text: "sys" }, CP]);
    // Without a system prompt, only the messages take checkpoints.
    expect(cachePlaces(request([user(text("q"))], { toolConfig: tools }), NOVA)).toEqual([{ in: "message", message: 0, at: 1 }]);
  });

  it("no system prompt and no tools: the messages only", () => {
    expect(cachePlaces(request([user(text("q1")), assistant(text("a1")), user(text("q2"))]), CLAUDE)).toEqual([
      { in: "message", message: 2, at: 1 },
      { in: "message", message: 0, at: 1 },
    ]);
  });

  it("a 1-hour profile marks every checkpoint 1h, so no 1-hour checkpoint ever follows a 5-minute one", () => {
    const out = withCachePoints(request([user(text("q1")), assistant(text("a1")), user(text("q2"))], { system: [{ text: "sys" }], toolConfig: tools }), { ttl: "1h", tools: true });
    expect(out.toolConfig!.tools!.at(-1)).toEqual(CP_1H);
    expect(out.system!.at(-1)).toEqual(CP_1H);
    expect(out.messages![0]!.content!.at(-1)).toEqual(CP_1H);
    expect(out.messages![2]!.content!.at(-1)).toEqual(CP_1H);
    // A 5-minute profile sends no ttl (Bedrock's default, 5 minutes).
    expect(withCachePoints(request([user(text("q"))]), CLAUDE).messages![0]!.content![1]).toEqual(CP);
  });

  it("leaves the request it was given unchanged", () => {
    const input = request([user(text("q1")), assistant(text("a1")), user(text("q2"))], { system: [{ text: "sys" }], toolConfig: tools });
    const before = JSON.stringify(input);
    withCachePoints(input, CLAUDE);
    expect(JSON.stringify(input)).toBe(before);
  });
});

describe("prompt-cache checkpoints: where one may go in a message", () => {
  it("after the last block, at message level", () => {
    expect(cachePointIndex([text("q")])).toBe(1);
    expect(cachePointIndex([text("q"), image])).toBe(2);
    expect(cachePointIndex([text("q"), doc("pdf")])).toBe(2);
    expect(cachePointIndex([toolResult, toolResult])).toBe(2);
    expect(cachePointIndex([reasoning, text("a"), toolUse])).toBe(3);
  });

  it("never right after a reasoning block: before the trailing reasoning, or none when there is nothing else", () => {
    expect(cachePointIndex([text("a"), reasoning])).toBe(1);
    expect(cachePointIndex([text("a"), redacted])).toBe(1);
    expect(cachePointIndex([reasoning])).toBeUndefined();
    expect(cachePointIndex([reasoning, redacted])).toBeUndefined();
  });

  it("never right after a non-PDF document: before the trailing documents, or none when there is nothing else", () => {
    expect(cachePointIndex([text("read these"), doc("txt"), doc("csv")])).toBe(1);
    expect(cachePointIndex([text("read these"), doc("txt"), doc("pdf")])).toBe(3);
    expect(cachePointIndex([doc("txt")])).toBeUndefined();
    expect(cachePointIndex([doc("pdf"), doc("txt")])).toBe(1);
  });

  it("never first in a message, nor alone in it", () => {
    expect(cachePointIndex([])).toBeUndefined();
    for (const content of [[text("q")], [text("q"), doc("txt")], [image, reasoning]]) expect(cachePointIndex(content)).toBeGreaterThan(0);
  });

  it("a newest question that can take none (a text file alone) still leaves the previous turn's checkpoint, which is read", () => {
    const messages = [user(text("q1")), assistant(text("a1")), user(doc("txt"))];
    expect(cachePlaces(request(messages), CLAUDE)).toEqual([{ in: "message", message: 0, at: 1 }]);
    // And the turn after it looks past that question to the nearest one that took a checkpoint.
    const later = [...messages, assistant(text("a2")), user(text("q3"))];
    expect(cachePlaces(request(later), CLAUDE)).toEqual([{ in: "message", message: 4, at: 1 }, { in: "message", message: 0, at: 1 }]);
  });

  it("a question with a text file after its words: the checkpoint goes between them", () => {
    const out = withCachePoints(request([user(text("summarize"), doc("txt"))]), CLAUDE);
    expect(out.messages![0]!.content).toEqual([text("summarize"), CP, doc("txt")]);
  });
});
