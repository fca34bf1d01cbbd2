import type { ChatSettings, Profile, SamplingRule } from "../../api/types.js";

export type FullSettings = Required<ChatSettings>;

/** The keys of a thread's model settings (anything else in a saved object, such as an old showCost, is dropped). */
const KEYS: Record<keyof ChatSettings, true> = { stream: true, thinking: true, budgetTokens: true, effort: true, interleaved: true, temperature: true, topP: true, maxTokens: true, system: true, promptCaching: true };

/** The profile's defaults, as /api/profiles describes them. */
export function defaultsFor(profile: Profile): FullSettings {
  const s = profile.settings;
  return {
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
  };
}

const key = (profile: string) => `settings:${profile}`;

/** Only the model settings of an object (saved in this browser, or a thread's). */
function known(saved: object | undefined): ChatSettings {
  return Object.fromEntries(Object.entries(saved ?? {}).filter(([k]) => k in KEYS)) as ChatSettings;
}

/** The settings last used with this profile become the defaults of the next chat with it. */
export function lastUsed(profile: Profile): FullSettings {
  try {
    const saved = JSON.parse(localStorage.getItem(key(profile.name)) ?? "{}") as object;
    return clamp(profile, { ...defaultsFor(profile), ...known(saved) });
  } catch {
    return defaultsFor(profile);
  }
}

export function remember(profile: Profile, settings: ChatSettings): void {
  try {
    localStorage.setItem(key(profile.name), JSON.stringify(settings));
  } catch {
    // Private mode or a full quota: the thread still keeps its own settings on the server.
  }
}

const within = (value: number, range: { min: number; max: number }) => Math.min(Math.max(value, range.min), range.max);

/** Values kept within the profile's ranges (after a profile switch, for instance). */
export function clamp(profile: Profile, settings: FullSettings): FullSettings {
  const s = profile.settings;
  return {
    ...settings,
    maxTokens: within(settings.maxTokens, s.maxTokens),
    budgetTokens: within(settings.budgetTokens, s.budgetTokens),
    temperature: within(settings.temperature, s.temperature),
    topP: settings.topP === null ? null : within(settings.topP, s.topP),
  };
}

export function merge(profile: Profile, stored: ChatSettings | undefined): FullSettings {
  return clamp(profile, { ...lastUsed(profile), ...known(stored) });
}

/** Whether the model thinks with these settings: always for an always-on profile, else when thinking is on. */
export function thinks(profile: Profile, settings: Pick<ChatSettings, "thinking">): boolean {
  const s = profile.settings.thinking;
  return s.alwaysOn || (s.available && Boolean(settings.thinking));
}

/** Whether a sampling control is fixed now: the profile says so while thinking, and the model thinks. */
export function fixedNow(rule: SamplingRule, thinking: boolean): boolean {
  return rule.fixedWhileThinking && thinking;
}
