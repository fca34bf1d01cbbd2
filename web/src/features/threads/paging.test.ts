import { describe, expect, it } from "vitest";
import { appendPage, mergeFirstPage, sortsAfter } from "./paging.js";

const thread = (id: string, activeAt: string, pinned = false) => ({ id, title: id, profile: "p", createdAt: activeAt, updatedAt: activeAt, activeAt, pinned, archivedAt: null });

describe("thread list paging (issue 12)", () => {
  const a = thread("a", "2026-01-05"), b = thread("b", "2026-01-04"), c = thread("c", "2026-01-03"), d = thread("d", "2026-01-02"), p = thread("p", "2026-01-01", true);

  it("orders pinned first, then newest activity, then id", () => {
    expect(sortsAfter(a, p)).toBe(true);
    expect(sortsAfter(p, a)).toBe(false);
    expect(sortsAfter(b, a)).toBe(true);
    expect(sortsAfter(thread("x", "2026-01-05"), thread("y", "2026-01-05"))).toBe(true);
  });

  it("a refresh of the first page keeps the older pages loaded, and moves a thread that got activity to the top", () => {
    const loaded = { threads: [a, b, c, d], next: "after-d" };
    const c2 = { ...c, activeAt: "2026-01-06" };
    const merged = mergeFirstPage(loaded, { threads: [c2, a], next: "after-a" });
    expect(merged.threads.map((t) => t.id)).toEqual(["c", "a", "b", "d"]);
    expect(merged.next).toBe("after-d");
  });

  it("a refresh that returns everything replaces the list (deleted threads go)", () => {
    expect(mergeFirstPage({ threads: [a, b, c], next: undefined }, { threads: [a, c], next: undefined })).toEqual({ threads: [a, c], next: undefined });
  });

  it("appends a page without listing a thread twice", () => {
    expect(appendPage({ threads: [a, b], next: "x" }, { threads: [b, c], next: undefined }).threads.map((t) => t.id)).toEqual(["a", "b", "c"]);
  });
});
