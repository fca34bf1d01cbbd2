import { describe, expect, it } from "vitest";
import { buildRequestHistory } from "./history.js";
import { CLAUDE, GPT_OSS, NOVA, profileFrom } from "../../test/helpers/profiles.js";
import type { Message, Part } from "./types.js";

const claude = profileFrom(CLAUDE);
const gpt = profileFrom(GPT_OSS);
const user = (text: string): Message => ({ role: "user", parts: [{ type: "text", text }] });
const answer = (parts: Part[], modelId = claude.modelId, status: Message["status"] = "complete"): Message => ({ role: "assistant", parts, modelId, status });
const signed = (text: string): Part => ({ type: "reasoning", text, signature: `sig-${text}` });
const text = (t: string): Part => ({ type: "text", text: t });

describe("history rules", () => {
  it("keeps signed reasoning first, before the text, for Anthropic style", () => {
    const history = [user("q1"), answer([text("a1"), signed("r1")])];
    expect(buildRequestHistory(history, claude)).toEqual([user("q1"), { role: "assistant", parts: [signed("r1"), text("a1")] }]);
  });

  it("leaves out a failed turn with no answer, question included", () => {
    const history = [user("q1"), answer([], claude.modelId, "error"), user("q2"), answer([text("a2")])];
    expect(buildRequestHistory(history, claude)).toEqual([user("q2"), { role: "assistant", parts: [text("a2")] }]);
    expect(buildRequestHistory([user("q1")], claude)).toEqual([]);
  });

  it("sends a stopped partial answer as text, with reasoning only when it is complete and signed", () => {
    const unsigned: Part = { type: "reasoning", text: "half a thou" };
    expect(buildRequestHistory([user("q"), answer([unsigned], claude.modelId, "stopped")], claude)).toEqual([]);
    expect(buildRequestHistory([user("q"), answer([unsigned, text("partial")], claude.modelId, "stopped")], claude)).toEqual([user("q"), { role: "assistant", parts: [text("partial")] }]);
    expect(buildRequestHistory([user("q"), answer([signed("r"), text("partial")], claude.modelId, "stopped")], claude)).toEqual([user("q"), { role: "assistant", parts: [signed("r"), text("partial")] }]);
  });

  it("never sends blank text", () => {
    expect(buildRequestHistory([{ role: "user", parts: [text("  "), text("q")] }, answer([text(""), text("a"), text("\n")])], claude)).toEqual([user("q"), { role: "assistant", parts: [text("a")] }]);
    expect(buildRequestHistory([user("   "), answer([text("a")])], claude)).toEqual([]);
  });

  it("drops reasoning produced by another model id (after a profile switch)", () => {
    const history = [user("q"), answer([signed("r"), text("a")], "us.amazon.nova-pro-v1:0")];
    expect(buildRequestHistory(history, claude)).toEqual([user("q"), { role: "assistant", parts: [text("a")] }]);
    expect(buildRequestHistory([user("q"), answer([signed("r"), text("a")])], profileFrom(NOVA))).toEqual([user("q"), { role: "assistant", parts: [text("a")] }]);
  });

  it("OpenAI style keeps reasoning only on turns that used tools", () => {
    const reasoning: Part = { type: "reasoning", text: "think" };
    const plain = [user("q"), answer([reasoning, text("a")], gpt.modelId)];
    expect(buildRequestHistory(plain, gpt)).toEqual([user("q"), { role: "assistant", parts: [text("a")] }]);
    const toolTurn: Message[] = [
      user("q"),
      answer([reasoning, { type: "toolUse", id: "t1", name: "f", input: {} }], gpt.modelId),
      { role: "user", parts: [{ type: "toolResult", toolUseId: "t1", status: "success", content: [{ type: "text", text: "42" }] }] },
      answer([text("it is 42")], gpt.modelId),
    ];
    expect(buildRequestHistory(toolTurn, gpt)).toEqual(toolTurn.map(({ role, parts }) => ({ role, parts })));
  });

  it("drops a toolUse that never got its result, and the turn when nothing else was said", () => {
    const use: Part = { type: "toolUse", id: "t1", name: "f", input: {} };
    expect(buildRequestHistory([user("q"), answer([text("let me look"), use], claude.modelId, "stopped")], claude)).toEqual([user("q"), { role: "assistant", parts: [text("let me look")] }]);
    expect(buildRequestHistory([user("q"), answer([use], claude.modelId, "stopped")], claude)).toEqual([]);
  });

  it("cuts a tool loop whose final answer never came back to the last text", () => {
    const history: Message[] = [
      user("q"),
      answer([text("checking"), { type: "toolUse", id: "t1", name: "f", input: {} }]),
      { role: "user", parts: [{ type: "toolResult", toolUseId: "t1", status: "success", content: [{ type: "text", text: "x" }] }] },
      answer([], claude.modelId, "error"),
      user("q2"),
      answer([text("a2")]),
    ];
    expect(buildRequestHistory(history, claude)).toEqual([user("q"), { role: "assistant", parts: [text("checking")] }, user("q2"), { role: "assistant", parts: [text("a2")] }]);
  });

  it("always alternates roles starting with the user", () => {
    const history = [answer([text("orphan")]), user("q1"), user("q2"), answer([text("a")])];
    const out = buildRequestHistory(history, claude);
    expect(out.map((m) => m.role)).toEqual(["user", "assistant"]);
    expect(out[0]).toEqual(user("q2"));
  });
});
