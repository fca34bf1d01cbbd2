import type { ThreadSummary } from "../../api/types.js";
import { t } from "../../i18n/index.js";

/**
 * Threads grouped for the list: Pinned first, then by the day of their last activity (a rename is not activity):
 * Today, Yesterday, Previous 7 days, then by month.
 */
export function groupByDay(threads: readonly ThreadSummary[], now = new Date()): { label: string; threads: ThreadSummary[] }[] {
  const startOfDay = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  const today = startOfDay(now);
  const day = 86_400_000;
  const groups = new Map<string, ThreadSummary[]>();
  for (const thread of threads) {
    const at = new Date(thread.activeAt);
    const d = startOfDay(at);
    const label = thread.pinned ? t.pinned : d >= today ? t.today : d >= today - day ? t.yesterday : d >= today - 7 * day ? t.previous7 : at.toLocaleDateString(undefined, { year: "numeric", month: "long" });
    const list = groups.get(label) ?? [];
    list.push(thread);
    groups.set(label, list);
  }
  return [...groups].map(([label, list]) => ({ label, threads: list }));
}
