import { Decimal } from "decimal.js";
import type { ModelProfile } from "../config/resolve.js";
import { planRequest } from "./reasoning.js";
import type { TurnSettings } from "./settings.js";
import { assertNever, type Message, type Part, type Usage } from "./types.js";

/** Exact money amounts in USD, as decimal strings (prices like 0.000035 per 1k tokens are too fine for floats). */
export interface Cost {
  input: string;
  output: string;
  total: string;
}

const THOUSAND = new Decimal(1000);

/** cost = inputTokens/1000 x input_1k_price + outputTokens/1000 x output_1k_price; null when the profile has no price. */
export function costOf(usage: Usage, price: ModelProfile["price"]): Cost | null {
  if (!price) return null;
  const input = new Decimal(usage.inputTokens).div(THOUSAND).mul(price.input);
  const output = new Decimal(usage.outputTokens).div(THOUSAND).mul(price.output);
  return { input: input.toFixed(), output: output.toFixed(), total: input.plus(output).toFixed() };
}

/** Sums dollar amounts exactly; an unknown amount (null) makes the sum a lower bound, reported through `complete`. */
export function sumAmounts(amounts: readonly (string | null)[]): { total: string; complete: boolean } {
  let total = new Decimal(0);
  let complete = true;
  for (const amount of amounts) {
    if (amount !== null) total = total.plus(amount);
    else complete = false;
  }
  return { total: total.toFixed(), complete };
}

/** Fixed-point with `precision` decimals, trailing zeros dropped (0.5 at 4 -> "0.5"; 0 -> "0"). */
export function formatCost(amount: string, precision: number): string {
  const fixed = new Decimal(amount).toFixed(precision, Decimal.ROUND_HALF_EVEN);
  return fixed.includes(".") ? fixed.replace(/0+$/, "").replace(/\.$/, "") : fixed;
}

/** Characters per token assumed for a worst-case estimate: fewer than the ~4 of English prose, so code and non-Latin text fit too. */
const CHARS_PER_TOKEN_WORST = 3;

/** The characters a model reads of these messages and system prompt (text, reasoning, tool input and results). */
export function promptCharacters(messages: readonly Message[], system: string | undefined): number {
  let chars = system?.length ?? 0;
  for (const message of messages) for (const part of message.parts) chars += partCharacters(part);
  return chars;
}

function partCharacters(part: Part): number {
  switch (part.type) {
    case "text":
    case "reasoning":
      return part.text.length;
    case "toolUse":
      return JSON.stringify(part.input ?? null).length + part.name.length;
    case "toolResult":
      return JSON.stringify(part.content).length;
    case "redactedReasoning":
    case "image":
    case "document":
      return 0;
    default:
      return assertNever(part, "part");
  }
}

/**
 * The most one model call can cost: its prompt estimated from its characters (3 per token) at the input price,
 * plus every output token it may write (max tokens after the reasoning rules) at the output price. A spending
 * cap reserves this while the answer runs, since the real cost is known only at its end. Null without a price.
 */
export function worstCaseCost(profile: ModelProfile, prompt: { characters: number }, settings: TurnSettings): string | null {
  if (!profile.price) return null;
  const inputTokens = Math.ceil(prompt.characters / CHARS_PER_TOKEN_WORST);
  const outputTokens = planRequest(profile, settings, false).inference.maxTokens;
  return costOf({ inputTokens, outputTokens, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 }, profile.price)!.total;
}
