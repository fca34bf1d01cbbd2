import { describe, expect, it } from "vitest";
import { groupByDay } from "./grouping.js";

const at = (iso: string) => ({ id: iso, title: iso, profile: "p", createdAt: iso, updatedAt: iso });

describe("groupByDay", () => {
  it("groups newest-first threads into Today, Yesterday, Previous 7 days and months", () => {
    const now = new Date(2026, 10, 25, 15, 0);
    const groups = groupByDay([at(new Date(2026, 10, 25, 9).toISOString()), at(new Date(2026, 10, 24, 23).toISOString()), at(new Date(2026, 10, 20).toISOString()), at(new Date(2026, 9, 2).toISOString())], now);
    expect(groups.map((g) => [g.label, g.threads.length])).toEqual([
      ["Today", 1],
      ["Yesterday", 1],
      ["Previous 7 days", 1],
      [new Date(2026, 9, 2).toLocaleDateString(undefined, { year: "numeric", month: "long" }), 1],
    ]);
  });
});
