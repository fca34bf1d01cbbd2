import { Decimal } from "decimal.js";
import type { ModelProfile } from "../config/resolve.js";
import type { Usage } from "./types.js";

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
