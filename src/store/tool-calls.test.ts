import { describe, expect, it } from "vitest";
import { median, toolCallsOf } from "./tool-calls.js";

describe("toolCallsOf: an answer's tool calls from its parts", () => {
  it("pairs each tool use with its result, in the model's order, with the MCP names and the duration", () => {
    const calls = toolCallsOf([
      { type: "text", text: "Looking." },
      { type: "toolUse", id: "a", name: "hard__add", input: {}, server: "hard", tool: "add" },
      { type: "toolUse", id: "b", name: "srv__x_1a2b3c4d", input: {}, server: "srv", tool: "a very long name" },
      { type: "toolResult", toolUseId: "b", status: "error", content: [], durationMs: 60_000 },
      { type: "toolResult", toolUseId: "a", status: "success", content: [], durationMs: 12 },
    ]);
    expect(calls).toEqual([
      { server: "hard", tool: "add", durationMs: 12, status: "success" },
      { server: "srv", tool: "a very long name", durationMs: 60_000, status: "error" },
    ]);
  });

  it("leaves out a call cut off before its result, and counts an unknown tool under the model's name", () => {
    expect(
      toolCallsOf([
        { type: "toolUse", id: "a", name: "made_up", input: {} },
        { type: "toolResult", toolUseId: "a", status: "error", content: [] },
        { type: "toolUse", id: "b", name: "hard__slow", input: {}, server: "hard", tool: "slow" },
      ]),
    ).toEqual([{ server: null, tool: "made_up", durationMs: null, status: "error" }]);
  });
});

describe("median", () => {
  it("is the middle value, or the mean of the two middle ones", () => {
    expect(median([])).toBeNull();
    expect(median([5])).toBe(5);
    expect(median([300, 1, 20])).toBe(20);
    expect(median([10, 1, 4, 100])).toBe(7);
  });
});
