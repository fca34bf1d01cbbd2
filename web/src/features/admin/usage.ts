import type { UsageRow } from "../../api/types.js";

/** Exact-enough sums for display: amounts are added as integers of 1e-10 dollars (prices have at most 10 decimals here). */
const SCALE = 10_000_000_000n;
export function addAmounts(amounts: readonly string[]): string {
  let total = 0n;
  for (const amount of amounts) {
    const [whole = "0", fraction = ""] = amount.split(".");
    total += BigInt(whole) * SCALE + BigInt((fraction + "0000000000").slice(0, 10));
  }
  const whole = total / SCALE;
  const fraction = (total % SCALE).toString().padStart(10, "0").replace(/0+$/, "");
  return fraction ? `${whole}.${fraction}` : `${whole}`;
}

export interface DayTotal {
  day: string;
  cost: number;
  exact: string;
}

/** One entry per calendar day (UTC) from `since` to `until`, days without usage included. */
export function costPerDay(rows: readonly UsageRow[], since: Date, until: Date): DayTotal[] {
  const byDay = new Map<string, string[]>();
  for (const row of rows) byDay.set(row.day, [...(byDay.get(row.day) ?? []), row.cost]);
  const days: DayTotal[] = [];
  for (let d = new Date(since); d <= until; d = new Date(d.getTime() + 86_400_000)) {
    const day = d.toISOString().slice(0, 10);
    const exact = addAmounts(byDay.get(day) ?? []);
    days.push({ day, cost: Number(exact), exact });
  }
  return days;
}

export interface UserModelTotal {
  email: string;
  modelId: string;
  calls: number;
  inputTokens: number;
  outputTokens: number;
  cost: string;
}

/** Totals per user and model over the period, most expensive first. */
export function totalsByUserAndModel(rows: readonly UsageRow[]): UserModelTotal[] {
  const groups = new Map<string, UserModelTotal & { costs: string[] }>();
  for (const row of rows) {
    const key = `${row.email ?? row.userId}\u0000${row.modelId}`;
    const group = groups.get(key) ?? { email: row.email ?? row.userId, modelId: row.modelId, calls: 0, inputTokens: 0, outputTokens: 0, cost: "0", costs: [] };
    group.calls += row.calls;
    group.inputTokens += row.inputTokens;
    group.outputTokens += row.outputTokens;
    group.costs.push(row.cost);
    groups.set(key, group);
  }
  return [...groups.values()].map(({ costs, ...g }) => ({ ...g, cost: addAmounts(costs) })).sort((a, b) => Number(b.cost) - Number(a.cost) || a.email.localeCompare(b.email));
}
