import { describe, expect, it } from "vitest";
import { checkSettings, describeSettings, resolveSettings, samplingFixed } from "./settings.js";
import { CLAUDE, GPT_OSS, NOVA, profileFrom, R1 } from "../../test/helpers/profiles.js";

describe("settings defaults (the original app's)", () => {
  it("Anthropic style: thinking on, budget 4096, max tokens min(maxTokens/2, 8192), temperature 1", () => {
    expect(resolveSettings(profileFrom(CLAUDE))).toEqual({ stream: true, thinking: true, budgetTokens: 4096, effort: "medium", interleaved: false, temperature: 1, maxTokens: 8192, promptCaching: false });
  });
  it("max tokens default is half the model limit below 16384, and 2048 when the config has none", () => {
    expect(resolveSettings(profileFrom(NOVA)).maxTokens).toBe(2560);
    expect(resolveSettings(profileFrom({ id: "x.y" })).maxTokens).toBe(2048);
  });
  it("OpenAI style and always-on reason without a toggle; non-reasoning profiles never do", () => {
    expect(resolveSettings(profileFrom(GPT_OSS))).toMatchObject({ thinking: true, effort: "medium" });
    expect(resolveSettings(profileFrom(R1)).thinking).toBe(true);
    expect(resolveSettings(profileFrom(NOVA)).thinking).toBe(false);
  });
  it("streaming is forced off for profiles that do not stream", () => {
    expect(resolveSettings(profileFrom({ ...NOVA, streaming: false }), { stream: true }).stream).toBe(false);
    expect(resolveSettings(profileFrom(NOVA), { stream: false }).stream).toBe(false);
  });
});

describe("settings a profile cannot use are refused with the reason", () => {
  it.each([
    [NOVA, { budgetTokens: 2048 }, /has no thinking budget/],
    [GPT_OSS, { thinking: true }, /always reasons; thinking cannot be switched on or off \(use the reasoning effort instead\)/],
    [NOVA, { thinking: false }, /does not reason/],
    [CLAUDE, { effort: "high" as const }, /has no reasoning effort/],
    [GPT_OSS, { budgetTokens: 2048 }, /has no thinking budget/],
    [NOVA, { interleaved: true }, /does not offer interleaved thinking/],
    [CLAUDE, { temperature: 0.5 }, /temperature cannot be set .* while it reasons: Bedrock requires it unset while thinking/],
    [CLAUDE, { topP: 0.9 }, /top P cannot be set/],
    [GPT_OSS, { temperature: 0.5 }, /it is sent as 1\.0/],
    [R1, { topP: 0.5 }, /it is sent as 1\.0/],
    [CLAUDE, { budgetTokens: 1000 }, /thinking budget must be a whole number from 1024 to 64000, not 1000/],
    [CLAUDE, { budgetTokens: 64001 }, /from 1024 to 64000/],
    [NOVA, { maxTokens: 5121 }, /max tokens must be a whole number from 1 to 5120, not 5121/],
    [NOVA, { maxTokens: 0 }, /from 1 to 5120/],
    [NOVA, { temperature: 1.5 }, /temperature must be between 0 and 1, not 1.5/],
    [NOVA, { topP: -0.1 }, /top P must be between 0 and 1/],
  ])("%#", (model, input, message) => {
    expect(() => resolveSettings(profileFrom(model), input)).toThrow(message);
  });

  it("temperature and top P are allowed on an Anthropic profile with thinking off", () => {
    expect(resolveSettings(profileFrom(CLAUDE), { thinking: false, temperature: 0.2, topP: 0.9 })).toMatchObject({ thinking: false, temperature: 0.2, topP: 0.9 });
  });
});

describe("checkSettings: one check, three origins", () => {
  const claude = profileFrom(CLAUDE);
  const nova = profileFrom(NOVA);

  it("strict (CLI flags): a control the profile lacks is an error", () => {
    expect(() => checkSettings(nova, { thinking: true }, "strict")).toThrow(/does not reason/);
  });

  it("request: controls the profile lacks are dropped, a value out of range is an error naming it and the range", () => {
    expect(checkSettings(nova, { thinking: true, budgetTokens: 2048, effort: "low", interleaved: true, maxTokens: 100 }, "request")).toEqual({ settings: { maxTokens: 100 }, notices: [] });
    expect(checkSettings(claude, { temperature: 0.5 }, "request").settings).toEqual({});
    expect(() => checkSettings(nova, { maxTokens: 6000 }, "request")).toThrow("max tokens must be a whole number from 1 to 5120, not 6000");
  });

  it("stored: what no longer fits is clamped with a notice, never an error", () => {
    expect(checkSettings(nova, { maxTokens: 60000, temperature: 3, thinking: false }, "stored")).toEqual({
      settings: { maxTokens: 5120, temperature: 1 },
      notices: ["Max tokens lowered from 60000 to 5120, the most this profile allows.", "Temperature lowered from 3 to 1, the most this profile allows."],
    });
    expect(checkSettings(claude, { budgetTokens: 10 }, "stored").notices).toEqual(["Thinking budget raised from 10 to 1024, the least this profile allows."]);
  });

  it("describes the same sampling rule the engine applies", () => {
    for (const model of [CLAUDE, NOVA, GPT_OSS, R1]) {
      const profile = profileFrom(model);
      const rules = describeSettings(profile);
      expect(rules.temperature.available).toBe(!samplingFixed(profile, false));
      expect(rules.temperature.fixedWhileThinking).toBe(samplingFixed(profile, true) && !samplingFixed(profile, false));
    }
  });
});

describe("the prompt caching setting", () => {
  const caching = profileFrom({ ...CLAUDE, prompt_caching: true });
  const nova = profileFrom(NOVA);

  it("is on by default for a profile whose config enables caching, and off (not offered) otherwise", () => {
    expect(resolveSettings(caching).promptCaching).toBe(true);
    expect(resolveSettings(caching, { promptCaching: false }).promptCaching).toBe(false);
    expect(resolveSettings(nova).promptCaching).toBe(false);
    expect(describeSettings(caching).promptCaching).toEqual({ available: true, default: true });
    expect(describeSettings(nova).promptCaching).toEqual({ available: false, default: false });
  });

  it("switching it on where the profile cannot cache: an error from the CLI, dropped from a request, dropped from stored settings", () => {
    expect(() => checkSettings(nova, { promptCaching: true }, "strict")).toThrow(/profile "Test" does not use prompt caching \(its config has no "prompt_caching"\)/);
    expect(checkSettings(nova, { promptCaching: true }, "request")).toEqual({ settings: {}, notices: [] });
    expect(checkSettings(nova, { promptCaching: true }, "stored")).toEqual({ settings: {}, notices: [] });
  });

  it("switching it off is never an error (--no-cache works with every profile), and is kept where the profile caches", () => {
    expect(checkSettings(nova, { promptCaching: false }, "strict")).toEqual({ settings: {}, notices: [] });
    expect(checkSettings(caching, { promptCaching: false }, "request")).toEqual({ settings: { promptCaching: false }, notices: [] });
  });
});
