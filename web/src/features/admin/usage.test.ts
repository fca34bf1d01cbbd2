import { describe, expect, it } from "vitest";
import { addAmounts, costPerDay, totalsByUserAndModel } from "./usage.js";

const row = (day: string, email: string, modelId: string, cost: string) => ({ day, userId: email, email, modelId, calls: 1, inputTokens: 10, outputTokens: 5, cost });

describe("admin usage figures", () => {
  it("adds dollar amounts exactly", () => {
    expect(addAmounts(["0.1", "0.2"])).toBe("0.3");
    expect(addAmounts(["0.000035", "0.000015", "1"])).toBe("1.00005");
    expect(addAmounts([])).toBe("0");
  });

  it("fills every day of the period, with zero for days without usage", () => {
    const days = costPerDay([row("2026-11-02", "a", "m", "0.5"), row("2026-11-02", "b", "m", "0.25")], new Date("2026-11-01T00:00:00Z"), new Date("2026-11-03T12:00:00Z"));
    expect(days.map((d) => [d.day, d.exact])).toEqual([
      ["2026-11-01", "0"],
      ["2026-11-02", "0.75"],
      ["2026-11-03", "0"],
    ]);
  });

  it("totals per user and model, most expensive first", () => {
    const totals = totalsByUserAndModel([row("2026-11-01", "a", "m1", "0.1"), row("2026-11-02", "a", "m1", "0.2"), row("2026-11-02", "b", "m2", "1")]);
    expect(totals.map((t) => [t.email, t.modelId, t.calls, t.cost])).toEqual([
      ["b", "m2", 1, "1"],
      ["a", "m1", 2, "0.3"],
    ]);
  });
});
