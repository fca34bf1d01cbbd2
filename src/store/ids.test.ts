import { describe, expect, it } from "vitest";
import { newId } from "./ids.js";

describe("newId", () => {
  it("sorts in creation order, also within one millisecond and when the clock steps back", () => {
    const ids = [newId(1_000), newId(1_000), newId(1_000), newId(999), newId(1_001), ...Array.from({ length: 200 }, () => newId())];
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
