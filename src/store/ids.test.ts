import { describe, expect, it } from "vitest";
import { newId } from "./ids.js";

describe("newId", () => {
  it("sorts in creation order, also within one millisecond and when the clock steps back", () => {
    const ids = [newId(1_000), newId(1_000), newId(1_000), newId(999), newId(1_001), ...Array.from({ length: 200 }, () => newId())];
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("ends in 16 random hex digits, fresh for every id across refills of the random pool", () => {
    const ids = Array.from({ length: 5_000 }, () => newId(2_000));
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
    const randomParts = new Set(ids.map((id) => id.slice(16)));
    expect(randomParts.size).toBe(ids.length);
  });
});
