import { describe, expect, it } from "vitest";
import { planRequest } from "./reasoning.js";
import { resolveSettings, type SettingsInput } from "./settings.js";
import { CLAUDE, CLAUDE_4, GPT_OSS, NOVA, profileFrom, R1 } from "../../test/helpers/profiles.js";

const plan = (model: Record<string, unknown>, input: SettingsInput = {}, tools = false) => {
  const profile = profileFrom(model);
  return planRequest(profile, resolveSettings(profile, input), tools);
};

describe("Anthropic-style thinking", () => {
  it("sends the budget, temperature_forced, no topP", () => {
    expect(plan(CLAUDE)).toEqual({ inference: { maxTokens: 8192, temperature: 1 }, reasoning: { type: "budget", budgetTokens: 4096, interleaved: false }, thinking: true, notices: [] });
  });
  it("sends no temperature while thinking when temperature_forced is absent", () => {
    expect(plan(CLAUDE_4).inference).toEqual({ maxTokens: 8192 });
  });
  it("raises max tokens to budget + 1024 so the budget fits", () => {
    expect(plan(CLAUDE, { budgetTokens: 16000, maxTokens: 2000 }).inference.maxTokens).toBe(17024);
  });
  it("caps max tokens at the model's limit and lowers the budget, saying so", () => {
    const result = plan({ ...CLAUDE, maxTokens: 8192 }, { budgetTokens: 8000, maxTokens: 8192 });
    expect(result.inference.maxTokens).toBe(8192);
    expect(result.reasoning).toEqual({ type: "budget", budgetTokens: 7168, interleaved: false });
    expect(result.notices).toEqual(["Thinking budget lowered from 8000 to 7168 tokens so it fits below the model's limit of 8192 output tokens."]);
  });
  it("answers without thinking when even the minimum budget does not fit, and says so", () => {
    const result = plan({ ...CLAUDE, maxTokens: 2000 }, { maxTokens: 1000 });
    expect(result.reasoning).toBeUndefined();
    expect(result.thinking).toBe(false);
    expect(result.inference).toEqual({ maxTokens: 1000, temperature: 1 });
    expect(result.notices[0]).toMatch(/^Answered without thinking/);
  });
  it("adds interleaved thinking only when tools are sent", () => {
    expect(plan(CLAUDE_4, { interleaved: true }, true).reasoning).toEqual({ type: "budget", budgetTokens: 4096, interleaved: true });
    expect(plan(CLAUDE_4, { interleaved: true }, false).reasoning).toEqual({ type: "budget", budgetTokens: 4096, interleaved: false });
  });
  it("thinking off: plain sampling with the user's temperature and topP", () => {
    expect(plan(CLAUDE, { thinking: false, temperature: 0.3, topP: 0.8 })).toEqual({ inference: { maxTokens: 8192, temperature: 0.3, topP: 0.8 }, thinking: false, notices: [] });
  });
});

describe("OpenAI-style, always-on and no reasoning", () => {
  it("OpenAI style: reasoning_effort, temperature and topP 1.0", () => {
    expect(plan(GPT_OSS, { effort: "high" })).toEqual({ inference: { maxTokens: 8192, temperature: 1, topP: 1 }, reasoning: { type: "effort", effort: "high" }, thinking: true, notices: [] });
  });
  it("no_reasoning_params: no reasoning parameters at all", () => {
    const result = plan(R1);
    expect(result.reasoning).toBeUndefined();
    expect(result.inference).toEqual({ maxTokens: 8192, temperature: 1, topP: 1 });
  });
  it("reasoning off: nothing reasoning-related, topP only when set", () => {
    expect(plan(NOVA)).toEqual({ inference: { maxTokens: 2560, temperature: 1 }, thinking: false, notices: [] });
    expect(plan(NOVA, { stopSequences: ["END"] }).inference.stopSequences).toEqual(["END"]);
  });
});
