import { describe, expect, it } from "vitest";
import { costOf, formatCost, sumAmounts } from "./cost.js";

const usage = (inputTokens: number, outputTokens: number) => ({ inputTokens, outputTokens, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 });

describe("cost", () => {
  it("is input/1000 x input price + output/1000 x output price, exactly", () => {
    expect(costOf(usage(1234, 567), { input: "0.003", output: "0.015" })).toEqual({ input: "0.003702", output: "0.008505", total: "0.012207" });
    // 7 tokens at $0.000035 per 1k is 2.45e-7 dollars: finer than a micro-dollar.
    expect(costOf(usage(7, 3), { input: "3.5e-5", output: "0.00014" })).toEqual({ input: "0.000000245", output: "0.00000042", total: "0.000000665" });
  });
  it("is unknown without a price", () => {
    expect(costOf(usage(1, 1), null)).toBeNull();
  });
  it("sums exactly where floats drift", () => {
    const tenth = "0.1";
    expect(sumAmounts([tenth, tenth, tenth])).toEqual({ total: "0.3", complete: true });
    expect(0.1 + 0.1 + 0.1).not.toBe(0.3);
    expect(sumAmounts([tenth, null])).toEqual({ total: "0.1", complete: false });
  });
  it("formats with the chosen precision, dropping trailing zeros", () => {
    expect(formatCost("0.0123", 4)).toBe("0.0123");
    expect(formatCost("0.5", 4)).toBe("0.5");
    expect(formatCost("0", 4)).toBe("0");
    expect(formatCost("0.000000665", 10)).toBe("0.000000665");
    expect(formatCost("0.125", 2)).toBe("0.12");
  });
});
