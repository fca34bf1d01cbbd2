import { describe, expect, it } from "vitest";
import { groupByDay } from "./grouping.js";

const at = (iso: string, more: { updatedAt?: string; pinned?: boolean } = {}) => ({ id: iso, title: iso, profile: "p", createdAt: iso, updatedAt: more.updatedAt ?? iso, activeAt: iso, pinned: more.pinned ?? false, archivedAt: null });

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

  it("puts pinned threads under Pinned, and groups by last activity, not by the last rename (issue 12)", () => {
    const now = new Date(2026, 10, 25, 15, 0);
    const renamedToday = at(new Date(2026, 9, 2).toISOString(), { updatedAt: new Date(2026, 10, 25, 14).toISOString() });
    const groups = groupByDay([at(new Date(2026, 8, 1).toISOString(), { pinned: true }), at(new Date(2026, 10, 25, 9).toISOString()), renamedToday], now);
    expect(groups.map((g) => [g.label, g.threads.length])).toEqual([
      ["Pinned", 1],
      ["Today", 1],
      [new Date(2026, 9, 2).toLocaleDateString(undefined, { year: "numeric", month: "long" }), 1],
    ]);
  });
});
