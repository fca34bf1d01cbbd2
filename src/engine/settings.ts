import type { ModelProfile } from "../config/resolve.js";
import type { ProfileSettingsRules } from "../shared/api.js";
import { SettingsError } from "./errors.js";
import type { ReasoningEffort } from "./provider.js";
import type { SystemPromptUse } from "./system-prompt.js";

/**
 * Chat settings: the ranges and defaults of the original app (reference/original-app.md section 2), in one
 * place for the CLI's flags, the server's validation and the UI's controls.
 */
export const LIMITS = {
  temperature: { min: 0, max: 1, step: 0.1, default: 1 },
  topP: { min: 0, max: 1, step: 0.01 },
  budgetTokens: { min: 1024, max: 64000, step: 64, default: 4096 },
  maxTokens: { min: 1, step: 64, cap: 8192 },
} as const;

export const EFFORTS: readonly ReasoningEffort[] = ["low", "medium", "high"];
export const DEFAULT_EFFORT: ReasoningEffort = "medium";

/** What a caller may ask for; every field optional, defaults follow the original app. */
export interface SettingsInput {
  stream?: boolean | undefined;
  thinking?: boolean | undefined;
  budgetTokens?: number | undefined;
  effort?: ReasoningEffort | undefined;
  interleaved?: boolean | undefined;
  temperature?: number | undefined;
  topP?: number | undefined;
  maxTokens?: number | undefined;
  /** System prompt override (template; variables substituted per request). */
  system?: string | undefined;
  stopSequences?: string[] | undefined;
  /** Prompt caching (profiles whose config enables it; on by default there). */
  promptCaching?: boolean | undefined;
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
  /** Where `system` came from (issue 13): recorded with the answer, never sent. */
  systemSource?: SystemPromptUse;
  stopSequences?: string[];
  /** Checkpoints are sent for the prompt cache (always false for a profile without caching). */
  promptCaching: boolean;
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

/**
 * How settings are checked against a profile, by where they come from:
 * - `strict` (the CLI's flags): a control the profile lacks and a value out of range are both errors;
 * - `request` (a request's own input over HTTP): controls the profile lacks are dropped (so switching profile never
 *   breaks sending), a value out of range is an error that names the setting and the allowed range;
 * - `stored` (a thread's saved settings): whatever no longer fits (a profile switch, a lowered `maxTokens` in
 *   config.json) is dropped or clamped, with a notice, never an error.
 */
export type SettingsOrigin = "strict" | "request" | "stored";

/** Settings that passed `checkSettings` for a profile: what it may use, nothing it lacks. */
export interface CheckedSettings {
  settings: SettingsInput;
  /** What was dropped or clamped (stored settings only), in words a user can read. */
  notices: string[];
}

/** The one check of chat settings against a profile (see SettingsOrigin). Throws SettingsError. */
export function checkSettings(profile: ModelProfile, input: SettingsInput, origin: SettingsOrigin): CheckedSettings {
  const style = profile.reasoning.style;
  const who = `profile "${profile.name}"`;
  const out: SettingsInput = { ...input };
  const notices: string[] = [];
  /** A control the profile does not have: an error when strict, silently dropped from a request, noticed when stored. */
  const lacks = (key: keyof SettingsInput, why: string) => {
    if (out[key] === undefined) return;
    if (origin === "strict") throw new SettingsError(why);
    delete out[key];
  };
  if (style !== "anthropic") {
    lacks(
      "thinking",
      style === "none"
        ? `${who} does not reason, so thinking cannot be switched on or off`
        : `${who} always reasons; thinking cannot be switched on or off${style === "openai" ? " (use the reasoning effort instead)" : ""}`,
    );
    lacks("budgetTokens", `${who} has no thinking budget (only Anthropic-style reasoning profiles do)`);
  }
  if (style !== "openai") lacks("effort", `${who} has no reasoning effort (only OpenAI-style reasoning profiles do)`);
  if (!profile.reasoning.interleaved && out.interleaved === true) lacks("interleaved", `${who} does not offer interleaved thinking`);
  if (!profile.reasoning.interleaved && out.interleaved === false) delete out.interleaved;
  // Switching off what a profile does not do anyway (`--no-cache` on any profile) is no error.
  if (!profile.caching && out.promptCaching === true) lacks("promptCaching", `${who} does not use prompt caching (its config has no "prompt_caching")`);
  if (!profile.caching && out.promptCaching === false) delete out.promptCaching;
  if (samplingFixed(profile, thinksWith(profile, out.thinking))) {
    const why = (flag: string) =>
      `${flag} cannot be set on ${who} while it reasons: ${profile.reasoning.pinnedSampling ? "it is sent as 1.0" : "Bedrock requires it unset while thinking; turn thinking off to choose it"}`;
    lacks("temperature", why("temperature"));
    lacks("topP", why("top P"));
  }
  if (out.effort !== undefined && !EFFORTS.includes(out.effort)) {
    if (origin === "stored") delete out.effort;
    else throw new SettingsError(`reasoning effort must be one of ${EFFORTS.join(", ")}, not "${String(out.effort)}"`);
  }
  const range = (key: "budgetTokens" | "maxTokens" | "temperature" | "topP", what: string, min: number, max: number, integer: boolean) => {
    const value = out[key];
    if (value === undefined) return;
    const fits = Number.isFinite(value) && (!integer || Number.isInteger(value)) && value >= min && value <= max;
    if (fits) return;
    if (origin !== "stored") throw new SettingsError(integer ? `${what} must be a whole number from ${min} to ${max}, not ${value}` : `${what} must be between ${min} and ${max}, not ${value}`);
    if (!Number.isFinite(value)) {
      delete out[key];
      return;
    }
    const clamped = Math.min(Math.max(integer ? Math.round(value) : value, min), max);
    out[key] = clamped;
    notices.push(`${capitalize(what)} ${clamped < value ? "lowered" : "raised"} from ${value} to ${clamped}, the ${clamped < value ? "most" : "least"} this profile allows.`);
  };
  range("budgetTokens", "thinking budget", LIMITS.budgetTokens.min, LIMITS.budgetTokens.max, true);
  range("maxTokens", "max tokens", LIMITS.maxTokens.min, profile.maxTokens, true);
  range("temperature", "temperature", LIMITS.temperature.min, LIMITS.temperature.max, false);
  range("topP", "top P", LIMITS.topP.min, LIMITS.topP.max, false);
  return { settings: out, notices };
}

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** Checked settings with the original app's defaults filled in: what a turn uses. Checks nothing. */
export function withDefaults(profile: ModelProfile, checked: CheckedSettings): TurnSettings {
  const input = checked.settings;
  const thinking = thinksWith(profile, input.thinking);
  return {
    stream: profile.streaming && (input.stream ?? true),
    thinking,
    budgetTokens: input.budgetTokens ?? LIMITS.budgetTokens.default,
    effort: input.effort ?? DEFAULT_EFFORT,
    interleaved: profile.reasoning.interleaved && (input.interleaved ?? false),
    temperature: input.temperature ?? LIMITS.temperature.default,
    ...(input.topP !== undefined ? { topP: input.topP } : {}),
    maxTokens: input.maxTokens ?? defaultMaxTokens(profile),
    ...(input.system !== undefined ? { system: input.system } : {}),
    ...(input.stopSequences?.length ? { stopSequences: input.stopSequences } : {}),
    promptCaching: profile.caching !== null && (input.promptCaching ?? true),
  };
}

/** Strict check and defaults in one (the CLI and internal calls such as titles). Throws SettingsError. */
export function resolveSettings(profile: ModelProfile, input: SettingsInput = {}): TurnSettings {
  return withDefaults(profile, checkSettings(profile, input, "strict"));
}

/**
 * The controls a profile offers and their rules, for GET /api/profiles: the web's settings dialog applies exactly
 * these (which controls exist, ranges, steps, defaults, what is fixed while the model thinks) and holds no copy.
 */
export function describeSettings(profile: ModelProfile): ProfileSettingsRules {
  const style = profile.reasoning.style;
  // From the same rule the engine applies: sampling a profile never lets you choose, and sampling fixed only while thinking.
  const sampling = { available: !samplingFixed(profile, false), fixedWhileThinking: samplingFixed(profile, true) && !samplingFixed(profile, false) };
  return {
    streaming: { available: profile.streaming, default: profile.streaming },
    temperature: { ...sampling, ...LIMITS.temperature },
    topP: { ...sampling, available: sampling.available && style === "none", ...LIMITS.topP },
    maxTokens: { min: LIMITS.maxTokens.min, max: profile.maxTokens, step: LIMITS.maxTokens.step, default: defaultMaxTokens(profile) },
    thinking: { available: style === "anthropic", alwaysOn: style === "openai" || style === "always-on", default: style !== "none" },
    budgetTokens: { available: style === "anthropic", ...LIMITS.budgetTokens },
    effort: { available: style === "openai", options: EFFORTS, default: DEFAULT_EFFORT },
    interleaved: { available: profile.reasoning.interleaved, default: false },
    systemPrompt: { default: profile.systemPrompt },
    promptCaching: { available: profile.caching !== null, default: profile.caching !== null },
  };
}
