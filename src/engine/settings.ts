import type { ModelProfile } from "../config/resolve.js";
import { SettingsError } from "./errors.js";
import type { ReasoningEffort } from "./provider.js";

/**
 * Chat settings: the ranges and defaults of the original app (reference/original-app.md section 2), in one
 * place for the CLI's flags, the server's validation and the UI's controls.
 */
export const LIMITS = {
  temperature: { min: 0, max: 1, step: 0.1, default: 1 },
  topP: { min: 0, max: 1, step: 0.01 },
  budgetTokens: { min: 1024, max: 64000, step: 64, default: 4096 },
  maxTokens: { min: 1, step: 64, cap: 8192 },
  costPrecision: { min: 1, max: 10, default: 4 },
} as const;

export const EFFORTS: readonly ReasoningEffort[] = ["low", "medium", "high"];
export const DEFAULT_EFFORT: ReasoningEffort = "medium";

/** What a caller may ask for; every field optional, defaults follow the original app. */
export interface SettingsInput {
  stream?: boolean;
  thinking?: boolean;
  budgetTokens?: number;
  effort?: ReasoningEffort;
  interleaved?: boolean;
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  /** System prompt override (template; variables substituted per request). */
  system?: string;
  stopSequences?: string[];
}

export interface TurnSettings {
  stream: boolean;
  /** Whether the model reasons on this turn (always true for OpenAI-style and always-on profiles). */
  thinking: boolean;
  budgetTokens: number;
  effort: ReasoningEffort;
  interleaved: boolean;
  temperature: number;
  topP?: number;
  maxTokens: number;
  system?: string;
  stopSequences?: string[];
}

export function defaultMaxTokens(profile: ModelProfile): number {
  return Math.max(1, Math.min(Math.floor(profile.maxTokens / 2), LIMITS.maxTokens.cap));
}

/** Whether the model reasons on this turn: Anthropic style follows the thinking switch (on by default). */
export function thinksWith(profile: ModelProfile, thinking: boolean | undefined): boolean {
  const style = profile.reasoning.style;
  return style === "anthropic" ? (thinking ?? true) : style !== "none";
}

/** Temperature and top P cannot be chosen while Anthropic-style thinking is on, nor for pinned-sampling profiles. */
export function samplingFixed(profile: ModelProfile, thinking: boolean): boolean {
  return (profile.reasoning.style === "anthropic" && thinking) || profile.reasoning.pinnedSampling;
}

/** Validates a request against what the profile supports and fills in the defaults. Throws SettingsError. */
export function resolveSettings(profile: ModelProfile, input: SettingsInput = {}): TurnSettings {
  const style = profile.reasoning.style;
  const who = `profile "${profile.name}"`;
  if (input.thinking !== undefined && style !== "anthropic") {
    throw new SettingsError(
      style === "none"
        ? `${who} does not reason, so thinking cannot be switched on or off`
        : `${who} always reasons; thinking cannot be switched on or off${style === "openai" ? " (use the reasoning effort instead)" : ""}`,
    );
  }
  if (input.budgetTokens !== undefined && style !== "anthropic") {
    throw new SettingsError(`${who} has no thinking budget (only Anthropic-style reasoning profiles do)`);
  }
  if (input.effort !== undefined && style !== "openai") {
    throw new SettingsError(`${who} has no reasoning effort (only OpenAI-style reasoning profiles do)`);
  }
  if (input.interleaved === true && !profile.reasoning.interleaved) {
    throw new SettingsError(`${who} does not offer interleaved thinking`);
  }
  const thinking = thinksWith(profile, input.thinking);
  const fixed = samplingFixed(profile, thinking);
  for (const [key, flag] of [["temperature", "temperature"], ["topP", "top P"]] as const) {
    if (input[key] !== undefined && fixed) {
      throw new SettingsError(
        `${flag} cannot be set on ${who} while it reasons: ${profile.reasoning.pinnedSampling ? "it is sent as 1.0" : "Bedrock requires it unset while thinking; turn thinking off to choose it"}`,
      );
    }
  }
  const budgetTokens = checkInt("thinking budget", input.budgetTokens, LIMITS.budgetTokens.min, LIMITS.budgetTokens.max) ?? LIMITS.budgetTokens.default;
  const maxTokens = checkInt("max tokens", input.maxTokens, LIMITS.maxTokens.min, profile.maxTokens) ?? defaultMaxTokens(profile);
  const temperature = checkNumber("temperature", input.temperature, LIMITS.temperature.min, LIMITS.temperature.max) ?? LIMITS.temperature.default;
  const topP = checkNumber("top P", input.topP, LIMITS.topP.min, LIMITS.topP.max);
  if (input.effort !== undefined && !EFFORTS.includes(input.effort)) {
    throw new SettingsError(`reasoning effort must be one of ${EFFORTS.join(", ")}, not "${String(input.effort)}"`);
  }
  return {
    stream: profile.streaming && (input.stream ?? true),
    thinking,
    budgetTokens,
    effort: input.effort ?? DEFAULT_EFFORT,
    interleaved: profile.reasoning.interleaved && (input.interleaved ?? false),
    temperature,
    ...(topP !== undefined ? { topP } : {}),
    maxTokens,
    ...(input.system !== undefined ? { system: input.system } : {}),
    ...(input.stopSequences?.length ? { stopSequences: input.stopSequences } : {}),
  };
}

function checkNumber(what: string, value: number | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new SettingsError(`${what} must be between ${min} and ${max}, not ${value}`);
  }
  return value;
}

function checkInt(what: string, value: number | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new SettingsError(`${what} must be a whole number from ${min} to ${max}, not ${value}`);
  }
  return value;
}

/** The controls a profile offers and their ranges, for GET /api/profiles and the settings dialog. */
export function describeSettings(profile: ModelProfile) {
  const style = profile.reasoning.style;
  return {
    streaming: { available: profile.streaming, default: profile.streaming },
    temperature: { available: !profile.reasoning.pinnedSampling, ...LIMITS.temperature, disabledWhileThinking: style === "anthropic" },
    topP: { available: style === "none", ...LIMITS.topP },
    maxTokens: { min: LIMITS.maxTokens.min, max: profile.maxTokens, step: LIMITS.maxTokens.step, default: defaultMaxTokens(profile) },
    thinking: { available: style === "anthropic", alwaysOn: style === "openai" || style === "always-on", default: style !== "none" },
    budgetTokens: { available: style === "anthropic", ...LIMITS.budgetTokens },
    effort: { available: style === "openai", options: EFFORTS, default: DEFAULT_EFFORT },
    interleaved: { available: profile.reasoning.interleaved, default: false },
    costPrecision: LIMITS.costPrecision,
    systemPrompt: { default: profile.systemPrompt },
  };
}
