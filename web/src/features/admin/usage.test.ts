import { describe, expect, it } from "vitest";
import type { UsageRow } from "../../api/types.js";
import { addAmounts, costPerDay, formatMs, subtractAmounts, totalsByUserAndModel } from "./usage.js";

const row = (day: string, email: string, modelId: string, cost: string, cache: Partial<UsageRow> = {}): UsageRow => ({
  day,
  userId: email,
  email,
  modelId,
  calls: 1,
  inputTokens: 10,
  outputTokens: 5,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  cacheWrite1hTokens: 0,
  cost,
  uncachedCost: cost,
  ...cache,
});

describe("admin usage figures", () => {
  it("adds dollar amounts exactly", () => {
    expect(addAmounts(["0.1", "0.2"])).toBe("0.3");
    expect(addAmounts(["0.000035", "0.000015", "1"])).toBe("1.00005");
    expect(addAmounts([])).toBe("0");
  });

  it("adds amounts finer than 10 decimals without losing a digit (one token at Nova Micro's cache read price)", () => {
    expect(addAmounts(["0.00000000875", "0.00000000875"])).toBe("0.0000000175");
    expect(addAmounts(["12345.678", "0.000000000000125"])).toBe("12345.678000000000125");
    expect(subtractAmounts("0.0825", "0.03375")).toBe("0.04875");
    expect(subtractAmounts("0.1", "0.1")).toBe("0");
  });

  it("fills every day of the period, with zero for days without usage, split by user or model", () => {
    const rows = [row("2026-11-02", "a", "m1", "0.5"), row("2026-11-02", "b", "m2", "0.25"), row("2026-11-03", "b", "m1", "1")];
    const byUser = costPerDay(rows, new Date("2026-11-01T00:00:00Z"), new Date("2026-11-03T12:00:00Z"), "user");
    expect(byUser.series).toEqual(["b", "a"]);
    expect(byUser.days.map((d) => [d.day, d.exact, d.parts])).toEqual([
      ["2026-11-01", "0", [0, 0]],
      ["2026-11-02", "0.75", [0.25, 0.5]],
      ["2026-11-03", "1", [1, 0]],
    ]);
    expect(costPerDay(rows, new Date("2026-11-02T00:00:00Z"), new Date("2026-11-02T00:00:00Z"), "model").series).toEqual(["m1", "m2"]);
  });

  it("sums series beyond six as others", () => {
    const rows = Array.from({ length: 8 }, (_, i) => row("2026-11-01", `u${i}`, "m", String(8 - i)));
    const { series, days } = costPerDay(rows, new Date("2026-11-01T00:00:00Z"), new Date("2026-11-01T00:00:00Z"));
    expect(series).toEqual(["u0", "u1", "u2", "u3", "u4", "others"]);
    expect(days[0]!.parts).toEqual([8, 7, 6, 5, 4, 3 + 2 + 1]);
  });

  it("totals per user and model, most expensive first", () => {
    const totals = totalsByUserAndModel([row("2026-11-01", "a", "m1", "0.1"), row("2026-11-02", "a", "m1", "0.2"), row("2026-11-02", "b", "m2", "1")]);
    expect(totals.map((t) => [t.email, t.modelId, t.calls, t.cost])).toEqual([
      ["b", "m2", 1, "1"],
      ["a", "m1", 2, "0.3"],
    ]);
  });

  it("totals cache tokens and the cost with and without caching per user and model, exactly", () => {
    // Two days of one user with Claude Sonnet 4.5 (the cost-test figures: 0.03375 billed, 0.0825 without caching),
    // and a model whose records used no cache (both figures equal).
    const sonnet = { inputTokens: 1000, outputTokens: 500, cacheReadTokens: 20_000, cacheWriteTokens: 4000, cacheWrite1hTokens: 1000, uncachedCost: "0.0825" };
    const totals = totalsByUserAndModel([
      row("2026-11-01", "a", "claude", "0.03375", sonnet),
      row("2026-11-02", "a", "claude", "0.03375", sonnet),
      row("2026-11-02", "a", "llama", "0.00001"),
    ]);
    expect(totals).toEqual([
      { email: "a", modelId: "claude", calls: 2, inputTokens: 2000, outputTokens: 1000, cacheReadTokens: 40_000, cacheWriteTokens: 8000, cost: "0.0675", uncachedCost: "0.165" },
      { email: "a", modelId: "llama", calls: 1, inputTokens: 10, outputTokens: 5, cacheReadTokens: 0, cacheWriteTokens: 0, cost: "0.00001", uncachedCost: "0.00001" },
    ]);
  });

  it("writes tool-call durations in the unit that reads best", () => {
    expect([0, 340, 999, 1000, 1234, 9_949, 9_950, 42_000, 59_400, 60_000, 185_000, 3_600_000, 7_830_000].map(formatMs)).toEqual([
      "0 ms", "340 ms", "999 ms", "1.0 s", "1.2 s", "9.9 s", "10 s", "42 s", "59 s", "1 min 0 s", "3 min 5 s", "1 h 0 min", "2 h 10 min",
    ]);
    expect(formatMs(null)).toBe("–");
  });
});
