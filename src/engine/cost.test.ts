import { describe, expect, it } from "vitest";
import { profileFrom } from "../../test/helpers/profiles.js";
import { costOf, formatCost, sumAmounts, uncachedCostOf, worstCaseCost } from "./cost.js";
import { resolveSettings } from "./settings.js";
import type { Usage } from "./types.js";

const usage = (inputTokens: number, outputTokens: number, cache: Partial<Usage> = {}): Usage => ({
  inputTokens,
  outputTokens,
  cacheReadInputTokens: 0,
  cacheWriteInputTokens: 0,
  cacheWrite1hInputTokens: 0,
  ...cache,
});
/** Claude Sonnet 4.5's published prices per 1,000 tokens: input 0.003, read 0.1x, 5-minute write 1.25x, 1-hour write 2x. */
const SONNET = { input: "0.003", output: "0.015", cacheRead: "0.0003", cacheWrite: "0.00375", cacheWrite1h: "0.006" };
/** 1,000 uncached input, 20,000 read, 4,000 written (1,000 of them for an hour), 500 output. */
const CACHED = usage(1000, 500, { cacheReadInputTokens: 20_000, cacheWriteInputTokens: 4000, cacheWrite1hInputTokens: 1000 });

describe("cost", () => {
  it("is input/1000 x input price + output/1000 x output price, exactly", () => {
    expect(costOf(usage(1234, 567), { input: "0.003", output: "0.015" })).toEqual({ input: "0.003702", cacheRead: "0", cacheWrite: "0", output: "0.008505", total: "0.012207" });
    // 7 tokens at $0.000035 per 1k is 2.45e-7 dollars: finer than a micro-dollar.
    expect(costOf(usage(7, 3), { input: "3.5e-5", output: "0.00014" })).toEqual({ input: "0.000000245", cacheRead: "0", cacheWrite: "0", output: "0.00000042", total: "0.000000665" });
  });
  it("is unknown without a price", () => {
    expect(costOf(usage(1, 1), null)).toBeNull();
    expect(uncachedCostOf(usage(1, 1), null)).toBeNull();
  });
  it("sums exactly where floats drift", () => {
    const tenth = "0.1";
    expect(sumAmounts([tenth, tenth, tenth])).toEqual({ total: "0.3", complete: true });
    expect(0.1 + 0.1 + 0.1).not.toBe(0.3);
    expect(sumAmounts([tenth, null])).toEqual({ total: "0.1", complete: false });
  });
  it("sums without rounding past 20 significant digits (decimal.js's default precision)", () => {
    // One token read at Nova Micro's read price (0.00000875 per 1k, 8.75e-9 per token) beside a large amount.
    expect(sumAmounts(["12345.678", "0.00000000875"]).total).toBe("12345.67800000875");
    expect(sumAmounts(["123456789012.5", "0.00000000000875"]).total).toBe("123456789012.50000000000875");
  });
  it("formats with the chosen precision, dropping trailing zeros", () => {
    expect(formatCost("0.0123", 4)).toBe("0.0123");
    expect(formatCost("0.5", 4)).toBe("0.5");
    expect(formatCost("0", 4)).toBe("0");
    expect(formatCost("0.000000665", 10)).toBe("0.000000665");
    expect(formatCost("0.125", 2)).toBe("0.12");
  });
});

describe("cost with prompt caching", () => {
  it("bills cache reads at the read price and writes per TTL: 1-hour at the 1-hour price, the rest at the 5-minute one", () => {
    // input 1,000 x 0.003/1k = 0.003; reads 20,000 x 0.0003/1k = 0.006; writes 3,000 x 0.00375/1k + 1,000 x 0.006/1k
    // = 0.01125 + 0.006 = 0.01725; output 500 x 0.015/1k = 0.0075.
    expect(costOf(CACHED, SONNET)).toEqual({ input: "0.003", cacheRead: "0.006", cacheWrite: "0.01725", output: "0.0075", total: "0.03375" });
  });
  it("without a 1-hour price, 1-hour writes are billed at the 5-minute write price", () => {
    const { cacheWrite1h: _none, ...price } = SONNET;
    expect(costOf(CACHED, price)).toMatchObject({ cacheWrite: "0.015", total: "0.0315" }); // 4,000 x 0.00375/1k
  });
  it("without any cache price, cache tokens are billed at the input price", () => {
    // reads 20,000 x 0.003/1k = 0.06; writes 4,000 x 0.003/1k = 0.012.
    expect(costOf(CACHED, { input: "0.003", output: "0.015" })).toEqual({ input: "0.003", cacheRead: "0.06", cacheWrite: "0.012", output: "0.0075", total: "0.0825" });
    // Only the read price missing: reads at the input price, writes at their own.
    const { cacheRead: _r, ...noRead } = SONNET;
    expect(costOf(CACHED, noRead)).toMatchObject({ cacheRead: "0.06", cacheWrite: "0.01725", total: "0.08775" });
    // Only the 5-minute write price missing: 5-minute writes at the input price, 1-hour writes at their own.
    const { cacheWrite: _w, ...noWrite } = SONNET;
    expect(costOf(CACHED, noWrite)).toMatchObject({ cacheWrite: "0.015", total: "0.0315" }); // 3,000 x 0.003 + 1,000 x 0.006
  });
  it("5-minute writes only (no cacheDetails split): all at the 5-minute price", () => {
    expect(costOf(usage(0, 0, { cacheWriteInputTokens: 1000 }), SONNET)).toMatchObject({ cacheWrite: "0.00375", total: "0.00375" });
  });
  it("what the same tokens would have cost without caching: every cache token at the input price", () => {
    // (1,000 + 20,000 + 4,000) x 0.003/1k + 500 x 0.015/1k = 0.075 + 0.0075.
    expect(uncachedCostOf(CACHED, SONNET)).toBe("0.0825");
    expect(uncachedCostOf(usage(1234, 567), SONNET)).toBe(costOf(usage(1234, 567), SONNET)!.total);
  });
  it("the worst case reserved by a spending cap counts the prompt at the dearest input-side price the call may use", () => {
    const caching = profileFrom({ id: "us.anthropic.claude-sonnet-4-5-20250929-v1:0", maxTokens: 1000, prompt_caching: { ttl: "1h" }, cost: { input_1k_price: 0.003, output_1k_price: 0.015, cache_write_1k_price: 0.00375, cache_write_1h_1k_price: 0.006 } });
    const on = resolveSettings(caching, { maxTokens: 100 });
    // 3,000 characters -> 1,000 tokens at 0.006 (the 1-hour write) + 100 x 0.015/1k.
    expect(worstCaseCost(caching, { characters: 3000 }, on)).toBe("0.0075");
    // Caching off for the thread: the input price.
    expect(worstCaseCost(caching, { characters: 3000 }, resolveSettings(caching, { maxTokens: 100, promptCaching: false }))).toBe("0.0045");
  });
});
