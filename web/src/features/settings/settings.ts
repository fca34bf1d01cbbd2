import type { ChatSettings, Profile } from "../../api/types.js";

export type FullSettings = Required<ChatSettings>;

/** The original app's defaults for a profile. */
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
    showCost: false,
    costPrecision: s.costPrecision.default,
  };
}

const key = (profile: string) => `settings:${profile}`;

/** The settings last used with this profile become the defaults of the next chat with it. */
export function lastUsed(profile: Profile): FullSettings {
  try {
    const saved = JSON.parse(localStorage.getItem(key(profile.name)) ?? "{}") as ChatSettings;
    return clamp(profile, { ...defaultsFor(profile), ...saved });
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

/** Values kept within what the profile allows (after a profile switch, for instance). */
export function clamp(profile: Profile, settings: FullSettings): FullSettings {
  const s = profile.settings;
  return { ...settings, maxTokens: Math.min(Math.max(settings.maxTokens, s.maxTokens.min), s.maxTokens.max) };
}

export function merge(profile: Profile, stored: ChatSettings | undefined): FullSettings {
  return clamp(profile, { ...lastUsed(profile), ...(stored ?? {}) });
}

/** Whether the model thinks with these settings (then temperature and top P are fixed). */
export function thinkingOn(profile: Profile, settings: FullSettings): boolean {
  const s = profile.settings;
  return s.thinking.alwaysOn || (s.thinking.available && settings.thinking);
}
