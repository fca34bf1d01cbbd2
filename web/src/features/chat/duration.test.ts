import { describe, expect, it } from "vitest";
import { thinkingDuration } from "./duration.js";

describe("thinkingDuration", () => {
  it("rounds to whole seconds, and says so under a second instead of showing 0.0 s", () => {
    expect(thinkingDuration(0)).toBe("less than a second");
    expect(thinkingDuration(940)).toBe("less than a second");
    expect(thinkingDuration(950)).toBe("1 s");
    expect(thinkingDuration(1499)).toBe("1 s");
    expect(thinkingDuration(12_400)).toBe("12 s");
  });
});
