import type { UsageRow } from "../../api/types.js";

/**
 * Exact sums of dollar amounts (decimal text such as "0.00000000875", as the server sends them): added as integers
 * scaled by the longest fraction, so no digit is lost however fine the prices are.
 */
export function addAmounts(amounts: readonly string[]): string {
  const split = amounts.map((amount) => {
    const negative = amount.startsWith("-");
    const [whole = "0", fraction = ""] = (negative ? amount.slice(1) : amount).split(".");
    return { negative, whole, fraction };
  });
  const digits = Math.max(0, ...split.map((a) => a.fraction.length));
  const scale = 10n ** BigInt(digits);
  let total = 0n;
  for (const a of split) {
    const value = BigInt(a.whole || "0") * scale + BigInt(a.fraction.padEnd(digits, "0") || "0");
    total += a.negative ? -value : value;
  }
  const sign = total < 0n ? "-" : "";
  const abs = total < 0n ? -total : total;
  const whole = abs / scale;
  const fraction = digits ? (abs % scale).toString().padStart(digits, "0").replace(/0+$/, "") : "";
  return `${sign}${whole}${fraction ? `.${fraction}` : ""}`;
}

/** a - b, exactly (the saving of caching: the cost without it minus the cost with it). */
export function subtractAmounts(a: string, b: string): string {
  return addAmounts([a, b.startsWith("-") ? b.slice(1) : `-${b}`]);
}

export interface DayTotal {
  day: string;
  cost: number;
  exact: string;
  /** The day's cost per series (user or model), in the order of `series`. */
  parts: number[];
}

export type SeriesKey = "user" | "model";
/** Series beyond this many are summed as "others". */
export const MAX_SERIES = 6;

const seriesOf = (row: UsageRow, by: SeriesKey) => (by === "user" ? (row.email ?? row.userId) : row.modelId);

/**
 * One entry per calendar day (UTC) from `since` to `until`, days without usage included, each split by user or by
 * model: the most expensive series first, the rest summed as "others".
 */
export function costPerDay(rows: readonly UsageRow[], since: Date, until: Date, by: SeriesKey = "user"): { days: DayTotal[]; series: string[] } {
  const spend = new Map<string, number>();
  for (const row of rows) spend.set(seriesOf(row, by), (spend.get(seriesOf(row, by)) ?? 0) + Number(row.cost));
  const ranked = [...spend].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([name]) => name);
  const series = ranked.length > MAX_SERIES ? [...ranked.slice(0, MAX_SERIES - 1), "others"] : ranked;
  const index = (name: string) => {
    const i = series.indexOf(name);
    return i >= 0 ? i : series.length - 1;
  };
  const byDay = new Map<string, UsageRow[]>();
  for (const row of rows) byDay.set(row.day, [...(byDay.get(row.day) ?? []), row]);
  const days: DayTotal[] = [];
  for (let d = new Date(since); d <= until; d = new Date(d.getTime() + 86_400_000)) {
    const day = d.toISOString().slice(0, 10);
    const dayRows = byDay.get(day) ?? [];
    const exact = addAmounts(dayRows.map((r) => r.cost));
    const parts = series.map(() => 0);
    for (const row of dayRows) parts[index(seriesOf(row, by))]! += Number(row.cost);
    days.push({ day, cost: Number(exact), exact, parts });
  }
  return { days, series };
}

export interface UserModelTotal {
  email: string;
  modelId: string;
  calls: number;
  /** Input tokens neither read from nor written to the cache. */
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  /** What was billed (cache tokens at their prices). */
  cost: string;
  /** What the same tokens would have cost without caching. */
  uncachedCost: string;
}

/** Totals per user and model over the period, most expensive first. */
export function totalsByUserAndModel(rows: readonly UsageRow[]): UserModelTotal[] {
  const groups = new Map<string, UserModelTotal & { costs: string[]; uncachedCosts: string[] }>();
  for (const row of rows) {
    const key = `${row.email ?? row.userId}\u0000${row.modelId}`;
    const group = groups.get(key) ?? { email: row.email ?? row.userId, modelId: row.modelId, calls: 0, inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, cost: "0", uncachedCost: "0", costs: [], uncachedCosts: [] };
    group.calls += row.calls;
    group.inputTokens += row.inputTokens;
    group.outputTokens += row.outputTokens;
    group.cacheReadTokens += row.cacheReadTokens;
    group.cacheWriteTokens += row.cacheWriteTokens;
    group.costs.push(row.cost);
    group.uncachedCosts.push(row.uncachedCost);
    groups.set(key, group);
  }
  return [...groups.values()]
    .map(({ costs, uncachedCosts, ...g }) => ({ ...g, cost: addAmounts(costs), uncachedCost: addAmounts(uncachedCosts) }))
    .sort((a, b) => Number(b.cost) - Number(a.cost) || a.email.localeCompare(b.email));
}

/** A duration for the tables: "340 ms", "1.2 s", "42 s", "3 min 5 s", "2 h 10 min"; a dash for none. */
export function formatMs(ms: number | null): string {
  if (ms === null) return "–";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 9_950) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
