import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
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

describe("the picker's data from config: provider, context window, starter prompts (issue 12)", () => {
  it.each([
    ["a cross-region profile id", "us.anthropic.claude-3-7-sonnet-20250219-v1:0", "anthropic"],
    ["a global profile id", "global.anthropic.claude-sonnet-4-5-20250929-v1:0", "anthropic"],
    ["a base id", "meta.llama4-scout-17b-instruct-v1:0", "meta"],
    ["a base id with a prefix applied by inference_profile", "amazon.nova-pro-v1:0", "amazon"],
    ["a foundation-model ARN", "arn:aws:bedrock:us-west-2::foundation-model/mistral.mistral-large-2407-v1:0", "mistral"],
    ["an application inference profile ARN (no vendor in it)", "arn:aws:bedrock:us-west-2:123456789012:application-inference-profile/a1b2c3", "other"],
  ])("provider defaults to the vendor part of %s", (_what, id, provider) => {
    expect(resolveOne({ id, inference_profile: id.startsWith("amazon") ? { prefix: "us" } : undefined }).provider).toBe(provider);
  });

  it("takes provider and context_window from the config, context_window null when absent", () => {
    const p = resolveOne({ id: "writer.palmyra-x5-v1:0", provider: "Writer", context_window: 1_000_000 });
    expect([p.provider, p.contextWindow]).toEqual(["Writer", 1_000_000]);
    expect(resolveOne({ id: "writer.palmyra-x5-v1:0" }).contextWindow).toBeNull();
  });

  it("starter prompts: strings become title and prompt, objects stay; absent gives the defaults", () => {
    const config = (top: Record<string, unknown>) => parseConfigText(JSON.stringify({ ...top, bedrock_models: { M: { id: "a.b" } } }), "config.json").config;
    expect(config({ starter_prompts: ["Tell me a joke", { title: "Plan", prompt: "Plan my week" }] }).starterPrompts).toEqual([
      { title: "Tell me a joke", prompt: "Tell me a joke" },
      { title: "Plan", prompt: "Plan my week" },
    ]);
    expect(config({}).starterPrompts.length).toBeGreaterThan(2);
    expect(config({ starter_prompts: [] }).starterPrompts).toEqual([]);
  });

  it("refuses a bad context_window or starter prompt, naming the JSON path", () => {
    const error = (text: object) => {
      try {
        parseConfigText(JSON.stringify(text), "config.json");
      } catch (e) {
        return (e as Error).message;
      }
      return "no error";
    };
    expect(error({ bedrock_models: { M: { id: "a.b", context_window: -5 } } })).toBe(
      'config.json: bedrock_models["M"].context_window: expected the context window in tokens, such as 200000, found number -5',
    );
    expect(error({ starter_prompts: [{ title: "Plan" }], bedrock_models: { M: { id: "a.b" } } })).toMatch(/^config\.json: starter_prompts\[0\]: expected a prompt such as/);
  });

  it("the bundled config.example.json gives every model a provider and the Claude and Nova models a context window", () => {
    const text = readFileSync(new URL("../../config.example.json", import.meta.url), "utf8");
    const { config, warnings } = parseConfigText(text, "config.example.json");
    expect(warnings.filter((w) => /unknown|not a known/i.test(w))).toEqual([]);
    expect(new Set(config.profiles.map((p) => p.provider))).toEqual(new Set(["Anthropic", "Amazon", "Meta", "Writer", "Mistral AI", "OpenAI", "DeepSeek", "Qwen"]));
    for (const p of config.profiles.filter((p) => /Claude|Nova/.test(p.name))) expect(p.contextWindow, p.name).toBeGreaterThanOrEqual(128_000);
    expect(config.starterPrompts.length).toBeGreaterThanOrEqual(3);
  });
});
