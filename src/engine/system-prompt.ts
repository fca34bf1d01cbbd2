/**
 * System-prompt variables, substituted on every request. Adding a variable is one line here.
 * {{TODAY}} -> 2026-11-25, {{UTC_TIME}} -> 2026-11-25 10:00:00 UTC (as the original app).
 */
export const PROMPT_VARIABLES: Readonly<Record<string, (now: Date) => string>> = {
  TODAY: (now) => now.toISOString().slice(0, 10),
  UTC_TIME: (now) => `${now.toISOString().slice(0, 19).replace("T", " ")} UTC`,
};

/**
 * Where a turn's system prompt came from, recorded with its answer: a version of a kept prompt, the user's own
 * override, or the config's text (the prompt store could not be reached and nothing was cached).
 */
export type SystemPromptUse =
  | { source: "prompt"; key: string; name: string; promptId: string; version: number }
  | { source: "override" }
  | { source: "config" };

/** Replaces known {{NAME}} variables; unknown ones are left as written. */
export function renderSystemPrompt(template: string, now: Date): string {
  return template.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => (Object.hasOwn(PROMPT_VARIABLES, name) ? PROMPT_VARIABLES[name]!(now) : whole));
}

/** The user's override, else the profile's prompt; blank means no system prompt is sent. */
export function systemPromptFor(profilePrompt: string, override: string | undefined, now: Date): string | undefined {
  const text = renderSystemPrompt(override ?? profilePrompt, now);
  return text.trim() === "" ? undefined : text;
}

/** Names of the `{{NAME}}` placeholders in a text, each once, in order: those the registry fills and the others. */
export function placeholdersIn(template: string): { known: string[]; unknown: string[] } {
  const known: string[] = [];
  const unknown: string[] = [];
  for (const [, name] of template.matchAll(/\{\{(\w+)\}\}/g)) {
    const list = Object.hasOwn(PROMPT_VARIABLES, name!) ? known : unknown;
    if (!list.includes(name!)) list.push(name!);
  }
  return { known, unknown };
}
