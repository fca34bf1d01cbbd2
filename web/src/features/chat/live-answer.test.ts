import { describe, expect, it } from "vitest";
import type { GenerationEvent, Part } from "../../api/types.js";
import { emptyLive, foldLive, foldParts } from "./live-answer.js";

const fold = (events: GenerationEvent[]): Part[] => events.reduce(foldParts, [] as Part[]);
const usage = { inputTokens: 1, outputTokens: 2, cacheReadInputTokens: 0, cacheWriteInputTokens: 0, cacheWrite1hInputTokens: 0 };

describe("foldParts: the live answer's parts from the stream's events", () => {
  it("text deltas grow the last text part", () => {
    expect(fold([{ type: "text", delta: "Hel" }, { type: "text", delta: "lo" }])).toEqual([{ type: "text", text: "Hello" }]);
  });

  it("reasoning deltas grow a reasoning part, and text after it starts a text part", () => {
    expect(
      fold([
        { type: "reasoning", delta: "Let me " },
        { type: "reasoning", delta: "think." },
        { type: "reasoning_end", ms: 1200 },
        { type: "text", delta: "Answer." },
      ]),
    ).toEqual([
      { type: "reasoning", text: "Let me think." },
      { type: "text", text: "Answer." },
    ]);
  });

  it("a redacted reasoning block adds its own part", () => {
    expect(fold([{ type: "reasoning_end", ms: 0, redacted: true }, { type: "text", delta: "Done." }])).toEqual([
      { type: "redactedReasoning", data: "" },
      { type: "text", text: "Done." },
    ]);
  });

  it("a tool round keeps its order: text, tool use, tool result, more text in a new part", () => {
    expect(
      fold([
        { type: "text", delta: "Checking." },
        { type: "tool_use", id: "t1", name: "weather", input: { city: "Oslo" } },
        { type: "tool_result", toolUseId: "t1", status: "success", text: "12 °C" },
        { type: "reasoning", delta: "Mild." },
        { type: "text", delta: "It is mild." },
      ]),
    ).toEqual([
      { type: "text", text: "Checking." },
      { type: "toolUse", id: "t1", name: "weather", input: { city: "Oslo" } },
      { type: "toolResult", toolUseId: "t1", status: "success", content: [{ type: "text", text: "12 °C" }] },
      { type: "reasoning", text: "Mild." },
      { type: "text", text: "It is mild." },
    ]);
  });

  it("a failed tool with no text has an empty result", () => {
    expect(fold([{ type: "tool_result", toolUseId: "t1", status: "error", text: "" }])).toEqual([{ type: "toolResult", toolUseId: "t1", status: "error", content: [] }]);
  });

  it("events without a part leave the parts as they are (same array), and empty deltas add nothing", () => {
    const parts: Part[] = [{ type: "text", text: "a" }];
    const others: GenerationEvent[] = [
      { type: "start", messageId: "m", profile: "p", modelId: "x" },
      { type: "usage", usage, cost: null },
      { type: "notice", message: "n" },
      { type: "error", code: "c", message: "m", retryable: true },
      { type: "done", status: "complete", messageId: "m" },
      { type: "reasoning_end", ms: 5 },
      { type: "text", delta: "" },
      { type: "reasoning", delta: "" },
    ];
    for (const event of others) expect(foldParts(parts, event)).toBe(parts);
  });

  it("earlier parts keep their identity while the last one grows (memoized blocks do not re-render)", () => {
    const first = fold([{ type: "reasoning", delta: "r" }, { type: "text", delta: "a" }]);
    const next = foldParts(first, { type: "text", delta: "b" });
    expect(next[0]).toBe(first[0]);
    expect(next[1]).not.toBe(first[1]);
    expect(first[1]).toEqual({ type: "text", text: "a" });
  });
});

describe("foldLive", () => {
  it("keeps the reasoning's start and duration, notices and the error beside the parts", () => {
    let live = emptyLive("g", "m");
    live = foldLive(live, { type: "reasoning", delta: "hm" }, 1000);
    live = foldLive(live, { type: "reasoning", delta: "m" }, 2000);
    expect(live.reasoningStartedAt).toBe(1000);
    live = foldLive(live, { type: "reasoning_end", ms: 1500 }, 2500);
    live = foldLive(live, { type: "reasoning_end", ms: 0, redacted: true }, 2600);
    expect(live.reasoningMs).toBe(1500);
    live = foldLive(live, { type: "notice", message: "Max tokens lowered." }, 2700);
    live = foldLive(live, { type: "error", code: "throttled", message: "Slow down.", retryable: true }, 2800);
    expect(live).toMatchObject({
      parts: [
        { type: "reasoning", text: "hmm" },
        { type: "redactedReasoning", data: "" },
      ],
      notices: ["Max tokens lowered."],
      error: { code: "throttled", message: "Slow down.", retryable: true },
    });
  });

  it("an event that changes nothing returns the same answer (no re-render)", () => {
    const live = emptyLive("g", "m");
    expect(foldLive(live, { type: "usage", usage, cost: "0.1" }, 1)).toBe(live);
  });
});
