import { parseConfigText } from "../../src/config/load.js";
import type { ModelProfile } from "../../src/config/resolve.js";

/** Profiles for unit tests, resolved through the real config path. */
export function profileFrom(model: Record<string, unknown>, name = "Test"): ModelProfile {
  const config = { bedrock_models: { [name]: { cost: { input_1k_price: 0.003, output_1k_price: 0.015 }, ...model } } };
  return parseConfigText(JSON.stringify(config), "test-config.json").config.profiles[0]!;
}

export const CLAUDE = { id: "us.anthropic.claude-3-7-sonnet-20250219-v1:0", maxTokens: 64000, tool: true, reasoning: { enabled: true, temperature_forced: 1 } };
export const CLAUDE_4 = { id: "us.anthropic.claude-sonnet-4-20250514-v1:0", maxTokens: 64000, tool: true, reasoning: true };
export const GPT_OSS = { id: "openai.gpt-oss-20b-1:0", maxTokens: 128000, tool: true, reasoning: { enabled: true, openai_reasoning_modalities: true } };
export const R1 = { id: "us.deepseek.r1-v1:0", maxTokens: 163840, reasoning: { enabled: true, openai_reasoning_modalities: true, no_reasoning_params: true } };
export const NOVA = { id: "us.amazon.nova-pro-v1:0", maxTokens: 5120, tool: true };
