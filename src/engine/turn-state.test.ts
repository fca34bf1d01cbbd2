import { describe, expect, it } from "vitest";
import { fromStoredRow } from "./stored-turn.js";
import { TurnState } from "./turn-state.js";

describe("TurnState: the one fold of a turn", () => {
  it("keeps block order per call, joins deltas, attaches a signature, and stores what it folded", () => {
    const state = new TurnState("m");
    state.beginCall();
    for (const delta of ["thin", "king"]) state.apply({ type: "reasoning", delta });
    state.apply({ type: "reasoningSignature", signature: "sig" });
    for (const delta of ["Hel", "lo"]) state.apply({ type: "text", delta });
    state.apply({ type: "toolUse", id: "t", name: "f", input: { a: 1 } });
    state.apply({ type: "stop", reason: "tool_use" });
    state.apply({ type: "usage", usage: { inputTokens: 3, outputTokens: 4, cacheReadInputTokens: 0, cacheWriteInputTokens: 0, cacheWrite1hInputTokens: 0 } });
    const call = state.endCall("complete");
    expect(call.stopReason).toBe("tool_use");
    expect(call.usage.outputTokens).toBe(4);
    state.addToolResults([{ type: "toolResult", toolUseId: "t", status: "success", content: [{ type: "text", text: "r" }] }]);
    state.beginCall();
    state.apply({ type: "text", delta: "done" });
    state.endCall("complete");
    expect(state.messages).toEqual([
      { role: "assistant", modelId: "m", status: "complete", parts: [{ type: "reasoning", text: "thinking", signature: "sig" }, { type: "text", text: "Hello" }, { type: "toolUse", id: "t", name: "f", input: { a: 1 } }] },
      { role: "user", parts: [{ type: "toolResult", toolUseId: "t", status: "success", content: [{ type: "text", text: "r" }] }] },
      { role: "assistant", modelId: "m", status: "complete", parts: [{ type: "text", text: "done" }] },
    ]);
    expect(fromStoredRow({ role: "assistant", parts: state.parts, status: "complete", modelId: "m" })).toEqual(state.messages);
  });

  it("leaves no message for an interrupted call that produced nothing, and counts every change", () => {
    const state = new TurnState("m");
    const v0 = state.version;
    state.beginCall();
    expect(state.endCall("stopped").message).toBeUndefined();
    expect(state.messages).toEqual([]);
    expect(state.version).toBeGreaterThan(v0);
  });
});
