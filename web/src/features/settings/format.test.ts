import { describe, expect, it } from "vitest";
import { formatCost } from "./format.js";

describe("formatCost (same rule as the server's)", () => {
  it.each([
    ["0.0123", 4, "0.0123"],
    ["0.5", 4, "0.5"],
    ["0", 4, "0"],
    ["0.000000665", 10, "0.000000665"],
    ["0.125", 2, "0.12"],
    ["0.135", 2, "0.14"],
    ["0.1251", 2, "0.13"],
    ["0.99996", 4, "1"],
    ["12.3456789", 3, "12.346"],
  ])("%s at %i decimals -> %s", (amount, precision, expected) => {
    expect(formatCost(amount, precision)).toBe(expected);
  });
});
