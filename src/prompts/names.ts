import type { AppConfig, ModelProfile } from "../config/resolve.js";

/** Bedrock's rule for prompt names (and ours locally): letters and digits, single `_` or `-` between them. */
export const PROMPT_NAME_PATTERN = /^([0-9a-zA-Z][_-]?){1,100}$/;
const MAX_NAME = 100;

/** One prompt the app keeps: the default prompt, or a profile's own. */
export interface PromptKey {
  /** "default" or "profile:<name>": what pins and threads refer to. */
  key: string;
  /** The prompt's name in the store: `<prefix>-default`, `<prefix>-<profile>`, sanitized and unique. */
  name: string;
  /** What the admin page calls it: the profile's name, or "Default". */
  label: string;
  /** The text config.json gives it (seeds version 1; the fallback when the store cannot be reached). */
  configText: string;
  /** The profiles whose answers use it. */
  profiles: string[];
}

/** Letters and digits kept, every other run of characters one `-`, no `-` at either end. */
export function sanitizeName(text: string): string {
  return text.replace(/[^0-9a-zA-Z]+/g, "-").replace(/^-+|-+$/g, "");
}

/**
 * The prompts of a config: one for `default_system_prompt` (used by every profile without its own text) and one per
 * profile whose `system_prompt` differs from it. Names are `<prefix>-default` and `<prefix>-<profile>` (prefix from
 * the config, `fllm` when empty), fitted to Bedrock's name rule, at most 100 characters, and unique (a clash gets
 * `-2`, `-3`, ...).
 */
export function promptKeys(config: Pick<AppConfig, "prefix" | "defaultSystemPrompt" | "profiles">): PromptKey[] {
  const prefix = sanitizeName(config.prefix) || "fllm";
  const used = new Set<string>();
  const unique = (base: string) => {
    const fitted = fit(base);
    let name = fitted;
    for (let n = 2; used.has(name.toLowerCase()); n++) name = `${fit(base, `-${n}`.length)}-${n}`;
    used.add(name.toLowerCase());
    return name;
  };
  const own = config.profiles.filter((p) => p.systemPrompt !== config.defaultSystemPrompt);
  const shared = config.profiles.filter((p) => p.systemPrompt === config.defaultSystemPrompt);
  const keys: PromptKey[] = [{ key: "default", name: unique(`${prefix}-default`), label: "Default", configText: config.defaultSystemPrompt, profiles: shared.map((p) => p.name) }];
  for (const profile of own) {
    keys.push({ key: profileKey(profile.name), name: unique(`${prefix}-${sanitizeName(profile.name) || "profile"}`), label: profile.name, configText: profile.systemPrompt, profiles: [profile.name] });
  }
  return keys;
}

export const profileKey = (name: string) => `profile:${name}`;

/** The prompt a profile's answers use. */
export function keyOf(keys: readonly PromptKey[], profile: Pick<ModelProfile, "name">): PromptKey {
  return keys.find((k) => k.key === profileKey(profile.name)) ?? keys[0]!;
}

function fit(name: string, reserve = 0): string {
  return name.slice(0, MAX_NAME - reserve).replace(/-+$/, "");
}
