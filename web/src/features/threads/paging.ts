import type { ThreadSummary } from "../../api/types.js";

/** Whether `a` comes after `b` in the list's order: pinned first, then newest activity, then the larger id. */
export function sortsAfter(a: ThreadSummary, b: ThreadSummary): boolean {
  if (a.pinned !== b.pinned) return b.pinned;
  if (a.activeAt !== b.activeAt) return a.activeAt < b.activeAt;
  return a.id < b.id;
}

export interface LoadedList {
  threads: ThreadSummary[];
  /** Where the next page starts (undefined: everything is loaded). */
  next: string | undefined;
}

/**
 * The list after reloading its first page: that page as the server has it now, then the older threads already
 * loaded beyond it (so a refresh does not forget the pages the user scrolled to), each thread once.
 */
export function mergeFirstPage(loaded: LoadedList, first: LoadedList): LoadedList {
  const last = first.threads.at(-1);
  if (!first.next || !last) return first;
  const fresh = new Set(first.threads.map((t) => t.id));
  const older = loaded.threads.filter((t) => !fresh.has(t.id) && sortsAfter(t, last));
  return older.length ? { threads: [...first.threads, ...older], next: loaded.next } : first;
}

/** The list with the next page added (a thread already listed is not listed twice). */
export function appendPage(loaded: LoadedList, page: LoadedList): LoadedList {
  const have = new Set(loaded.threads.map((t) => t.id));
  return { threads: [...loaded.threads, ...page.threads.filter((t) => !have.has(t.id))], next: page.next };
}
