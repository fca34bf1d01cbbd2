import { Decimal } from "decimal.js";
import type { ModelProfile, Price } from "../config/resolve.js";
import { planRequest } from "./reasoning.js";
import type { TurnSettings } from "./settings.js";
import { assertNever, type Message, type Part, type Usage } from "./types.js";

/**
 * Exact money amounts in USD, as decimal strings (prices like 0.000035 per 1k tokens are too fine for floats):
 * the input-side parts (input, cache reads, cache writes), the output and their total.
 */
export interface Cost {
  input: string;
  cacheRead: string;
  cacheWrite: string;
  output: string;
  total: string;
}

/** Enough significant digits that no sum of costs here is ever rounded (decimal.js rounds to 20 by default). */
const Exact = Decimal.clone({ precision: 200 });
const THOUSAND = new Exact(1000);
const per1k = (tokens: number, price: string) => new Exact(tokens).div(THOUSAND).mul(price);

/**
 * The prices a call is billed at, per 1,000 tokens: a cache read or write without a price of its own is billed at the
 * input price, a 1-hour write without one at the 5-minute write price (so a missing price never makes tokens free).
 */
export function cachePrices(price: Price): { read: string; write5m: string; write1h: string } {
  const write5m = price.cacheWrite ?? price.input;
  return { read: price.cacheRead ?? price.input, write5m, write1h: price.cacheWrite1h ?? write5m };
}

/**
 * cost = input x input price + cache reads x read price + cache writes x write price (1-hour writes at the 1-hour
 * price, the rest at the 5-minute one) + output x output price, per 1,000 tokens; null when the profile has no price.
 */
export function costOf(usage: Usage, price: ModelProfile["price"]): Cost | null {
  if (!price) return null;
  const prices = cachePrices(price);
  const oneHour = Math.min(usage.cacheWrite1hInputTokens, usage.cacheWriteInputTokens);
  const input = per1k(usage.inputTokens, price.input);
  const cacheRead = per1k(usage.cacheReadInputTokens, prices.read);
  const cacheWrite = per1k(usage.cacheWriteInputTokens - oneHour, prices.write5m).plus(per1k(oneHour, prices.write1h));
  const output = per1k(usage.outputTokens, price.output);
  return {
    input: input.toFixed(),
    cacheRead: cacheRead.toFixed(),
    cacheWrite: cacheWrite.toFixed(),
    output: output.toFixed(),
    total: input.plus(cacheRead).plus(cacheWrite).plus(output).toFixed(),
  };
}

/** What the same tokens would have cost without prompt caching: every cache token at the input price. */
export function uncachedCostOf(usage: Usage, price: ModelProfile["price"]): string | null {
  if (!price) return null;
  const input = usage.inputTokens + usage.cacheReadInputTokens + usage.cacheWriteInputTokens;
  return per1k(input, price.input).plus(per1k(usage.outputTokens, price.output)).toFixed();
}

/** Sums dollar amounts exactly; an unknown amount (null) makes the sum a lower bound, reported through `complete`. */
export function sumAmounts(amounts: readonly (string | null)[]): { total: string; complete: boolean } {
  let total = new Exact(0);
  let complete = true;
  for (const amount of amounts) {
    if (amount !== null) total = total.plus(amount);
    else complete = false;
  }
  return { total: total.toFixed(), complete };
}

/** Fixed-point with `precision` decimals, trailing zeros dropped (0.5 at 4 -> "0.5"; 0 -> "0"). */
export function formatCost(amount: string, precision: number): string {
  const fixed = new Exact(amount).toFixed(precision, Decimal.ROUND_HALF_EVEN);
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
 * The most one model call can cost: its prompt estimated from its characters (3 per token) at the dearest input-side
 * price it may be billed at (the input price, or a cache write's when caching is on and that is dearer), plus every
 * output token it may write (max tokens after the reasoning rules) at the output price. A spending cap reserves this
 * while the answer runs, since the real cost is known only at its end. Null without a price.
 */
export function worstCaseCost(profile: ModelProfile, prompt: { characters: number }, settings: TurnSettings): string | null {
  const price = profile.price;
  if (!price) return null;
  const inputTokens = Math.ceil(prompt.characters / CHARS_PER_TOKEN_WORST);
  const outputTokens = planRequest(profile, settings, false).inference.maxTokens;
  let inputPrice = new Exact(price.input);
  if (profile.caching && settings.promptCaching) {
    const prices = cachePrices(price);
    for (const p of [prices.write5m, ...(profile.caching.ttl === "1h" ? [prices.write1h] : [])]) inputPrice = Exact.max(inputPrice, p);
  }
  return per1k(inputTokens, inputPrice.toFixed()).plus(per1k(outputTokens, price.output)).toFixed();
}
