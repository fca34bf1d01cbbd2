/** Fixed-point with `precision` decimals, trailing zeros dropped (decimal strings from the server, no float drift). */
export function formatCost(amount: string, precision: number): string {
  const [whole = "0", frac = ""] = amount.split(".");
  if (frac.length <= precision) return frac.replace(/0+$/, "") ? `${whole}.${frac.replace(/0+$/, "")}` : whole;
  // Round half-even on the decimal digits.
  const digits = (whole + frac.slice(0, precision)).split("").map(Number);
  const rest = frac.slice(precision);
  const roundUp = rest[0]! > "5" || (rest[0] === "5" && (/[1-9]/.test(rest.slice(1)) || digits[digits.length - 1]! % 2 === 1));
  if (roundUp) {
    let i = digits.length - 1;
    while (i >= 0) {
      if (digits[i]! < 9) {
        digits[i]!++;
        break;
      }
      digits[i] = 0;
      i--;
    }
    if (i < 0) digits.unshift(1);
  }
  const all = digits.join("");
  const w = all.slice(0, all.length - precision) || "0";
  const f = all.slice(all.length - precision).replace(/0+$/, "");
  return f ? `${w}.${f}` : w;
}
