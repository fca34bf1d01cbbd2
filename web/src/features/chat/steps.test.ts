import { describe, expect, it } from "vitest";
import type { Part } from "../../api/types.js";
import { stepsOf, textOf, toolResultText } from "./steps.js";

describe("stepsOf: what a message shows, in order", () => {
  const use: Part = { type: "toolUse", id: "t1", name: "search", input: { q: "x" } };
  const result: Part = { type: "toolResult", toolUseId: "t1", status: "success", content: [{ type: "text", text: "found" }] };

  it("walks a tool round in order, the result shown with its call", () => {
    const reasoning: Part = { type: "reasoning", text: "plan", signature: "sig" };
    const redacted: Part = { type: "redactedReasoning", data: "b3BhcXVl" };
    const text: Part = { type: "text", text: "Answer." };
    expect(stepsOf([reasoning, use, result, redacted, text])).toEqual([
      { kind: "thinking", parts: [reasoning] },
      { kind: "tool", use, result },
      { kind: "thinking", parts: [redacted] },
      { kind: "text", part: text },
    ]);
  });

  it("reasoning blocks in a row make one thinking step", () => {
    const a: Part = { type: "reasoning", text: "a" };
    const b: Part = { type: "redactedReasoning", data: "x" };
    expect(stepsOf([a, b])).toEqual([{ kind: "thinking", parts: [a, b] }]);
  });

  it("a call without its result yet, and a result without its call", () => {
    expect(stepsOf([use])).toEqual([{ kind: "tool", use, result: undefined }]);
    expect(stepsOf([result])).toEqual([{ kind: "tool", use: undefined, result }]);
  });

  it("files are chips", () => {
    const image: Part = { type: "image", format: "png", source: { type: "attachment", id: "a1" } };
    const doc: Part = { type: "document", format: "pdf", name: "report", source: { type: "s3", uri: "s3://b/k" } };
    expect(stepsOf([image, doc, { type: "text", text: "q" }]).map((s) => s.kind)).toEqual(["file", "file", "text"]);
  });
});

describe("textOf and toolResultText", () => {
  it("the text parts, joined with blank lines", () => {
    expect(textOf([{ type: "text", text: "one" }, { type: "toolUse", id: "t", name: "n", input: {} }, { type: "text", text: "two" }])).toBe("one\n\ntwo");
  });
  it("a result's content as the stream sends it", () => {
    expect(toolResultText([{ type: "text", text: "a" }, { type: "json", json: { b: 1 } }, { type: "image", format: "png", source: { type: "bytes", data: "" } }])).toBe('a\n{"b":1}\n[png image]');
  });
});
