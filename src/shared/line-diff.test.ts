import { describe, expect, it } from "vitest";
import { lineDiff } from "./line-diff.js";

describe("line diff", () => {
  it("keeps common lines and marks what was removed and added", () => {
    expect(lineDiff("a\nb\nc\nd", "a\nc\nx\nd")).toEqual([
      { kind: "same", text: "a" },
      { kind: "removed", text: "b" },
      { kind: "same", text: "c" },
      { kind: "added", text: "x" },
      { kind: "same", text: "d" },
    ]);
  });
  it("shows a changed line as removed, then added", () => {
    expect(lineDiff("old", "new")).toEqual([
      { kind: "removed", text: "old" },
      { kind: "added", text: "new" },
    ]);
  });
  it("handles empty texts and identical texts", () => {
    expect(lineDiff("", "one")).toEqual([{ kind: "added", text: "one" }]);
    expect(lineDiff("one", "")).toEqual([{ kind: "removed", text: "one" }]);
    expect(lineDiff("same\ntext", "same\ntext").every((l) => l.kind === "same")).toBe(true);
  });
});
