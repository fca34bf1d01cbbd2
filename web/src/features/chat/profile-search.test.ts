import { describe, expect, it } from "vitest";
import type { Profile } from "../../api/types.js";
import { formatTokens, groupProfiles, perMillion, providerLabel } from "./profile-search.js";

const profile = (name: string, provider: string, extra: Partial<Profile["capabilities"]> = {}, modelId = `us.${provider}.${name.toLowerCase().replace(/\s+/g, "-")}`): Profile =>
  ({
    name,
    modelId,
    region: "us-west-2",
    default: false,
    provider,
    contextWindow: null,
    price: null,
    capabilities: { vision: false, document: false, tool: false, streaming: true, reasoning: "none", ...extra },
  }) as Profile;

const profiles = [
  profile("Claude Sonnet 4.5", "anthropic", { vision: true, reasoning: "anthropic" }),
  profile("Llama 3.3 70B", "meta"),
  profile("Claude Haiku 4.5", "anthropic", { tool: true }),
  profile("Nova Pro", "amazon", { vision: true }),
];

describe("groupProfiles", () => {
  it("groups by provider in the order providers first appear, profiles in config order", () => {
    expect(groupProfiles(profiles, "").map((g) => [g.provider, g.profiles.map((p) => p.name)])).toEqual([
      ["Anthropic", ["Claude Sonnet 4.5", "Claude Haiku 4.5"]],
      ["Meta", ["Llama 3.3 70B"]],
      ["Amazon", ["Nova Pro"]],
    ]);
  });

  it("keeps only profiles where every word is found in the name, provider, model id or a capability", () => {
    expect(groupProfiles(profiles, "claude haiku").flatMap((g) => g.profiles.map((p) => p.name))).toEqual(["Claude Haiku 4.5"]);
    expect(groupProfiles(profiles, "VISION").flatMap((g) => g.profiles.map((p) => p.name))).toEqual(["Claude Sonnet 4.5", "Nova Pro"]);
    expect(groupProfiles(profiles, "meta").flatMap((g) => g.profiles.map((p) => p.name))).toEqual(["Llama 3.3 70B"]);
    expect(groupProfiles(profiles, "us.amazon").flatMap((g) => g.profiles.map((p) => p.name))).toEqual(["Nova Pro"]);
    expect(groupProfiles(profiles, "gpt")).toEqual([]);
  });

  it("groups a config's own spelling with the derived one", () => {
    const mixed = [profile("A", "anthropic"), profile("B", "Anthropic")];
    expect(groupProfiles(mixed, "")).toHaveLength(1);
  });
});

describe("figures", () => {
  it("shows token counts as K and M", () => {
    expect([formatTokens(200_000), formatTokens(128_000), formatTokens(1_000_000), formatTokens(300_000), formatTokens(32_768), formatTokens(1_500_000), formatTokens(512)]).toEqual(["200K", "128K", "1M", "300K", "32.8K", "1.5M", "512"]);
  });

  it("turns a price per 1,000 tokens into dollars per million", () => {
    expect([perMillion("0.003"), perMillion("0.015"), perMillion("0.00006"), perMillion("0.0008"), perMillion("1e-4")]).toEqual(["3", "15", "0.06", "0.8", "0.1"]);
    expect([perMillion("2"), perMillion(".5"), perMillion("12.5"), perMillion("0.00000035"), perMillion("0.00000025"), perMillion("3.5E-6"), perMillion("1e2")]).toEqual(["2000", "500", "12500", "0.0004", "0.0002", "0.0035", "100000"]);
  });

  it("capitalizes a provider's first letter only", () => {
    expect([providerLabel("anthropic"), providerLabel("OpenAI"), providerLabel("deepseek")]).toEqual(["Anthropic", "OpenAI", "Deepseek"]);
  });
});
