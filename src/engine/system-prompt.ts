/**
 * System-prompt variables, substituted on every request. Adding a variable is one line here.
 * {{TODAY}} -> 2026-11-25, {{UTC_TIME}} -> 2026-11-25 10:00:00 UTC (as the original app).
 */
export const PROMPT_VARIABLES: Readonly<Record<string, (now: Date) => string>> = {
  TODAY: (now) => now.toISOString().slice(0, 10),
  UTC_TIME: (now) => `${now.toISOString().slice(0, 19).replace("T", " ")} UTC`,
};

/** Replaces known {{NAME}} variables; unknown ones are left as written. */
export function renderSystemPrompt(template: string, now: Date): string {
  return template.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => PROMPT_VARIABLES[name]?.(now) ?? whole);
}

/** The user's override, else the profile's prompt; blank means no system prompt is sent. */
export function systemPromptFor(profilePrompt: string, override: string | undefined, now: Date): string | undefined {
  const text = renderSystemPrompt(override ?? profilePrompt, now);
  return text.trim() === "" ? undefined : text;
}
