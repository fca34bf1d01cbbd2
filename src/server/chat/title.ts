import type { ModelProfile } from "../../config/resolve.js";
import type { Cost } from "../../engine/cost.js";
import type { Provider } from "../../engine/provider.js";
import { resolveSettings } from "../../engine/settings.js";
import { runTurn } from "../../engine/turn.js";
import type { Usage } from "../../engine/types.js";

const TITLE_PROMPT =
  "You name chat conversations. Reply with a short title of at most six words for the conversation below, in its language, with no quotes and no final punctuation.";

/**
 * The first words of the user's message, without markdown syntax (code fences, backticks, emphasis marks, heading,
 * quote and list markers, link targets): the title when title generation is off or fails. A message that is only
 * code is named by its code.
 */
export function fallbackTitle(text: string): string {
  const prose = plainText(text.replace(/```[^\n]*\n[\s\S]*?(```|$)/g, " "));
  const source = prose.trim() ? prose : plainText(text.replace(/```[^\n]*/g, " "));
  const words = source.trim().replace(/\s+/g, " ").split(" ").slice(0, 8).join(" ");
  return words.length > 60 ? `${words.slice(0, 57).trimEnd()}...` : words || "New chat";
}

function plainText(markdown: string): string {
  return markdown
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/^\s{0,3}(#{1,6}|>|[-*+]|\d+[.)])\s+/gm, "")
    .replace(/`+/g, "")
    // Emphasis marks touch their word (`**why**`, `_this_`); a lone `*` between spaces is arithmetic, `my_var` a name.
    .replace(/(^|\s)[*_~]+(?=\S)|(?<=\S)[*_~]+(?=\s|$|[.,;:!?)])/g, "$1");
}

export function cleanTitle(raw: string): string | undefined {
  const line = raw.trim().split("\n")[0]?.trim().replace(/^["'`*#\s]+|["'`*\s.]+$/g, "").replace(/^title:\s*/i, "") ?? "";
  if (!line) return undefined;
  return line.length > 80 ? `${line.slice(0, 77).trimEnd()}...` : line;
}

/** Asks the model for a short title after the first answer. Returns the title and what it cost. */
export async function generateTitle(provider: Provider, profile: ModelProfile, question: string, answer: string): Promise<{ title: string; cost: Cost | null; usage: Usage | null }> {
  const style = profile.reasoning.style;
  const settings = resolveSettings(profile, {
    stream: false,
    ...(style === "anthropic" ? { thinking: false } : {}),
    // Reasoning models spend tokens thinking before the title.
    maxTokens: Math.min(profile.maxTokens, style === "openai" || style === "always-on" ? 2048 : 64),
    system: TITLE_PROMPT,
    // A one-off request: a cache write would cost more than it could ever save.
    promptCaching: false,
  });
  const text = `User: ${question.slice(0, 2000)}\n\nAssistant: ${answer.slice(0, 2000)}`;
  let result;
  for await (const event of runTurn({ provider, profile, history: [], input: { role: "user", parts: [{ type: "text", text }] }, settings })) {
    if (event.type === "done") result = event.result;
  }
  const title = result && result.status === "complete" ? cleanTitle(result.text) : undefined;
  return { title: title ?? fallbackTitle(question), cost: result?.cost ?? null, usage: result?.usage ?? null };
}
