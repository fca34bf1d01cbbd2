import { describe, expect, it } from "vitest";
import { fromStoredRow, historyFromRows, toStoredParts } from "./stored-turn.js";
import type { FileSource, Message, MessageStatus, Part } from "./types.js";

const MODEL = "us.anthropic.claude-3-7-sonnet-20250219-v1:0";
const assistant = (parts: Part[], status: MessageStatus = "complete"): Message => ({ role: "assistant", parts, status, modelId: MODEL });
const results = (...parts: Part[]): Message => ({ role: "user", parts });

const sources: FileSource[] = [
  { type: "bytes", data: Buffer.from("png bytes").toString("base64") },
  { type: "attachment", id: "0123456789abcdef0123456789abcdef" },
  { type: "s3", uri: "s3://bucket/key.png", bucketOwner: "123456789012" },
];

/** Every part kind an assistant row can hold, with each file source where files appear. */
const everyAnswerPart: Part[] = [
  { type: "reasoning", text: "thinking it over", signature: "sig-1" },
  { type: "redactedReasoning", data: Buffer.from("encrypted").toString("base64") },
  { type: "text", text: "Here is what I found." },
  { type: "toolUse", id: "tool-1", name: "search", input: { q: "x", limit: 3 } },
];

function roundTrip(messages: Message[], status: MessageStatus): Message[] {
  return fromStoredRow({ role: "assistant", parts: toStoredParts(messages), status, modelId: MODEL });
}

describe("stored turn <-> engine messages", () => {
  it("round-trips one model call with every answer part kind", () => {
    const turn = [assistant(everyAnswerPart)];
    expect(roundTrip(turn, "complete")).toEqual(turn);
  });

  it.each(sources)("round-trips tool results with text, JSON and an image from a $type source", (source) => {
    const turn = [
      assistant([{ type: "text", text: "Let me look." }, { type: "toolUse", id: "t1", name: "screenshot", input: {} }]),
      results({ type: "toolResult", toolUseId: "t1", status: "success", content: [{ type: "text", text: "done" }, { type: "json", json: { ok: true, n: [1, 2] } }, { type: "image", format: "png", source }] }),
      assistant([{ type: "text", text: "It shows a chart." }]),
    ];
    expect(roundTrip(turn, "complete")).toEqual(turn);
  });

  it("round-trips several tool rounds, an error result, and the last call's status", () => {
    const turn = [
      assistant([{ type: "reasoning", text: "r1", signature: "s1" }, { type: "toolUse", id: "a", name: "f", input: { x: 1 } }, { type: "toolUse", id: "b", name: "g", input: {} }]),
      results({ type: "toolResult", toolUseId: "a", status: "success", content: [{ type: "text", text: "1" }] }, { type: "toolResult", toolUseId: "b", status: "error", content: [{ type: "text", text: "failed" }] }),
      assistant([{ type: "toolUse", id: "c", name: "f", input: { x: 2 } }]),
      results({ type: "toolResult", toolUseId: "c", status: "success", content: [{ type: "json", json: [] }] }),
      assistant([{ type: "text", text: "partial answ" }], "stopped"),
    ];
    expect(roundTrip(turn, "stopped")).toEqual(turn);
  });

  it("round-trips a turn that ended after tool results (the next call never answered)", () => {
    const turn = [assistant([{ type: "toolUse", id: "a", name: "f", input: {} }]), results({ type: "toolResult", toolUseId: "a", status: "success", content: [] })];
    expect(roundTrip(turn, "error")).toEqual(turn);
    expect(roundTrip([], "error")).toEqual([]);
  });

  it.each(sources)("round-trips a question with an image and a document from a $type source", (source) => {
    const question: Message = {
      role: "user",
      parts: [{ type: "text", text: "What is in these?" }, { type: "image", format: "jpeg", source }, { type: "document", format: "pdf", name: "report", source }],
    };
    expect(fromStoredRow({ role: "user", parts: question.parts, status: "complete", modelId: null })).toEqual([question]);
  });

  it("reads an answer still streaming (a crashed process) as stopped, and a path of rows as history", () => {
    const rows = [
      { role: "user" as const, parts: [{ type: "text" as const, text: "q" }], status: "complete" as const, modelId: null },
      { role: "assistant" as const, parts: [{ type: "text" as const, text: "half" }], status: "streaming" as const, modelId: MODEL },
    ];
    expect(historyFromRows(rows)).toEqual([{ role: "user", parts: [{ type: "text", text: "q" }] }, assistant([{ type: "text", text: "half" }], "stopped")]);
  });
});
