import { describe, expect, it } from "vitest";
import { BUNDLED_CONFIG_PATH, loadConfig } from "../../../../src/config/load.js";
import { samplingFixed, thinksWith } from "../../../../src/engine/settings.js";
import { describeProfile } from "../../../../src/server/routes/profiles.js";
import type { SamplingRule } from "../../api/types.js";
import { clamp, defaultsFor, fixedNow, merge, thinks } from "./settings.js";

// The dialog applies the rules /api/profiles describes; for every bundled profile and both positions of the
// thinking switch, that gives what the engine itself decides (no copy of the rules in the web app).
const profiles = loadConfig(BUNDLED_CONFIG_PATH).config.profiles;

describe("the settings dialog's rules, from /api/profiles", () => {
  it.each(profiles.map((p) => [p.name, p] as const))("%s", (_name, profile) => {
    const described = describeProfile(profile);
    for (const thinking of [true, false]) {
      const web = thinks(described, { thinking });
      expect(web).toBe(thinksWith(profile, thinking));
      // A sampling control the dialog lets you set is one the engine accepts; one it disables or hides, the engine fixes.
      const settable = (rule: SamplingRule) => rule.available && !fixedNow(rule, web);
      expect(settable(described.settings.temperature)).toBe(!samplingFixed(profile, web));
      if (settable(described.settings.topP)) expect(samplingFixed(profile, web)).toBe(false);
    }
  });

  it("defaults and ranges come from the description; unknown saved keys (an old showCost) are dropped", () => {
    const described = describeProfile(profiles[0]!);
    const s = described.settings;
    expect(defaultsFor(described)).toEqual({
      stream: s.streaming.default,
      thinking: s.thinking.default,
      budgetTokens: s.budgetTokens.default,
      effort: s.effort.default,
      interleaved: s.interleaved.default,
      temperature: s.temperature.default,
      topP: null,
      maxTokens: s.maxTokens.default,
      system: null,
      promptCaching: s.promptCaching.default,
    });
    const merged = merge(described, { maxTokens: s.maxTokens.max + 1000, temperature: 7, showCost: true } as never);
    expect(merged.maxTokens).toBe(s.maxTokens.max);
    expect(merged.temperature).toBe(s.temperature.max);
    expect("showCost" in merged).toBe(false);
    expect(clamp(described, { ...defaultsFor(described), budgetTokens: 1, topP: -1 })).toMatchObject({ budgetTokens: s.budgetTokens.min, topP: s.topP.min });
  });
});

describe("the prompt caching switch, from /api/profiles", () => {
  it("is on by default for the profiles whose config caches, off and not offered for the others", () => {
    const described = profiles.map(describeProfile);
    const caching = described.filter((p) => p.settings.promptCaching.available).map((p) => p.name);
    expect(caching).toEqual(["Claude Sonnet 4.5", "Claude Haiku 4.5", "Claude 3.7 Sonnet", "Amazon Nova Premier", "Amazon Nova Pro", "Amazon Nova Lite", "Amazon Nova Micro"]);
    for (const p of described) expect(defaultsFor(p).promptCaching).toBe(p.settings.promptCaching.available);
    // A thread's stored choice is kept.
    expect(merge(described[0]!, { promptCaching: false }).promptCaching).toBe(false);
  });
});
