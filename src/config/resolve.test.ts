import { describe, expect, it } from "vitest";
import { parseConfigText } from "./load.js";

const resolveOne = (model: Record<string, unknown>, top: Record<string, unknown> = {}) =>
  parseConfigText(JSON.stringify({ default_aws_region: "eu-central-1", ...top, bedrock_models: { M: model } }), "config.json").config.profiles[0]!;

describe("model id and client region resolution", () => {
  it.each([
    // [what, model, id sent, client region]
    ["plain id, no profile, no region: default_aws_region", { id: "mistral.mistral-large-2407-v1:0" }, "mistral.mistral-large-2407-v1:0", "eu-central-1"],
    ["plain id with regions: the first region", { id: "deepseek.v3-v1:0", region: ["us-west-2", "us-east-1"] }, "deepseek.v3-v1:0", "us-west-2"],
    ["a single region written as a string", { id: "deepseek.v3-v1:0", region: "us-east-2" }, "deepseek.v3-v1:0", "us-east-2"],
    [
      "cross-region profile on a base id: prefixed, profile region",
      { id: "anthropic.claude-3-7-sonnet-20250219-v1:0", region: ["us-east-1"], inference_profile: { prefix: "us", region: "us-west-2" } },
      "us.anthropic.claude-3-7-sonnet-20250219-v1:0",
      "us-west-2",
    ],
    [
      "id already carrying the prefix is not prefixed twice",
      { id: "us.anthropic.claude-3-7-sonnet-20250219-v1:0", inference_profile: { prefix: "us", region: "us-west-2" } },
      "us.anthropic.claude-3-7-sonnet-20250219-v1:0",
      "us-west-2",
    ],
    [
      "profile without region: first of region, else default",
      { id: "amazon.nova-pro-v1:0", region: ["us-east-2"], inference_profile: { prefix: "us" } },
      "us.amazon.nova-pro-v1:0",
      "us-east-2",
    ],
    [
      "global profile: global. prefix whatever prefix says",
      { id: "anthropic.claude-sonnet-4-5-20250929-v1:0", inference_profile: { prefix: "us", region: "us-west-2", global: true } },
      "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
      "us-west-2",
    ],
    [
      "global id already prefixed",
      { id: "global.anthropic.claude-haiku-4-5-20251001-v1:0", inference_profile: { prefix: "global", region: "eu-west-1", global: true } },
      "global.anthropic.claude-haiku-4-5-20251001-v1:0",
      "eu-west-1",
    ],
    [
      "ARNs pass through unchanged",
      { id: "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123def456", inference_profile: { prefix: "us", region: "us-east-1" } },
      "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123def456",
      "us-east-1",
    ],
  ])("%s", (_what, model, modelId, region) => {
    const profile = resolveOne(model);
    expect(profile.modelId).toBe(modelId);
    expect(profile.region).toBe(region);
  });

  it("keeps the base model id for IAM and all regions", () => {
    const profile = resolveOne({ id: "us.anthropic.claude-3-7-sonnet-20250219-v1:0", region: ["us-west-2", "us-east-1"], inference_profile: { prefix: "us", region: "us-west-2" } });
    expect(profile.baseModelId).toBe("anthropic.claude-3-7-sonnet-20250219-v1:0");
    expect(profile.regions).toEqual(["us-west-2", "us-east-1"]);
  });

  it("falls back to us-west-2 without default_aws_region, as the original", () => {
    const { config } = parseConfigText(JSON.stringify({ bedrock_models: { M: { id: "a.b" } } }), "c.json");
    expect(config.profiles[0]!.region).toBe("us-west-2");
  });
});

describe("reasoning capability from the config flags", () => {
  it.each([
    ["absent", undefined, "none"],
    ["false", false, "none"],
    ["true", true, "anthropic"],
    ["object with enabled", { enabled: true, hybrid: true, budget_thinking_tokens: true }, "anthropic"],
    ["enabled: false is off (the original treated any object as on)", { enabled: false, openai_reasoning_modalities: true }, "none"],
    ["empty object", {}, "none"],
    ["openai modalities", { enabled: true, openai_reasoning_modalities: true }, "openai"],
    ["no_reasoning_params", { enabled: true, openai_reasoning_modalities: true, no_reasoning_params: true }, "always-on"],
  ])("reasoning %s -> %s", (_what, reasoning, style) => {
    expect(resolveOne({ id: "x.y", ...(reasoning !== undefined ? { reasoning } : {}) }).reasoning.style).toBe(style);
  });

  it("offers interleaved thinking for Claude ids unless the config says otherwise", () => {
    expect(resolveOne({ id: "us.anthropic.claude-sonnet-4-20250514-v1:0", reasoning: true }).reasoning.interleaved).toBe(true);
    expect(resolveOne({ id: "us.deepseek.r1-v1:0", reasoning: true }).reasoning.interleaved).toBe(false);
    expect(resolveOne({ id: "us.anthropic.claude-3-7-sonnet-20250219-v1:0", reasoning: { enabled: true, interleaved_thinking: false } }).reasoning.interleaved).toBe(false);
    expect(resolveOne({ id: "x.custom", reasoning: { enabled: true, interleaved_thinking: true } }).reasoning.interleaved).toBe(true);
  });

  it("keeps temperature_forced and the OpenAI-style history and sampling rules", () => {
    expect(resolveOne({ id: "x.y", reasoning: { enabled: true, temperature_forced: 1 } }).reasoning.temperatureForced).toBe(1);
    expect(resolveOne({ id: "x.y", reasoning: { enabled: true, openai_reasoning_modalities: true } }).reasoning).toMatchObject({ historyOnlyWithTools: true, pinnedSampling: true });
  });

  it("warns when an object has no enabled key, and treats it as on like the original", () => {
    const { config, warnings } = parseConfigText(JSON.stringify({ bedrock_models: { M: { id: "x.y", cost: { input_1k_price: 1, output_1k_price: 1 }, reasoning: { hybrid: true } } } }), "c.json");
    expect(config.profiles[0]!.reasoning.style).toBe("anthropic");
    expect(warnings).toEqual([expect.stringContaining('reasoning has no "enabled"')]);
  });
});
