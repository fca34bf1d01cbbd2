import { useCallback, useEffect, useRef, useState } from "react";
import { api } from "../../api/client.js";
import type { ThreadSummary } from "../../api/types.js";
import { appendPage, mergeFirstPage, type LoadedList } from "./paging.js";

export interface ThreadList {
  threads: ThreadSummary[];
  /** More threads are on the server (load them with loadMore). */
  hasMore: boolean;
  loadingMore: boolean;
  /** Reloads the first page, keeping the older pages already loaded. */
  refresh: () => void;
  loadMore: () => void;
  /** Drops a thread from the list at once (deleted). */
  remove: (id: string) => void;
}

/**
 * The thread list (or a search of it, or the archive), one page at a time: the first page when the query changes
 * (typing waits 200 ms), the next on loadMore. Only the newest request's answer is shown: refreshes overlap, and an
 * older answer may arrive last.
 */
export function useThreadList(query: string, options: { archived?: boolean; enabled?: boolean } = {}): ThreadList {
  const archived = options.archived ?? false;
  const enabled = options.enabled ?? true;
  const [list, setList] = useState<LoadedList & { key: string }>({ threads: [], next: undefined, key: "" });
  const [loadingMore, setLoadingMore] = useState(false);
  const loadingMoreRef = useRef(false);
  const seq = useRef(0);
  const current = useRef(list);
  current.current = list;
  const params = useRef({ q: query.trim(), archived });
  params.current = { q: query.trim(), archived };
  const keyOf = (p: { q: string; archived: boolean }) => `${p.archived ? "archived" : "list"}:${p.q}`;

  const refresh = useCallback(() => {
    const p = params.current;
    const key = keyOf(p);
    const mine = ++seq.current;
    void api
      .threads({ q: p.q || undefined, archived: p.archived })
      .then((page) => {
        if (mine !== seq.current) return;
        const first = { threads: page.threads, next: page.nextCursor };
        // A new query starts over; the same one keeps what was loaded beyond its first page.
        setList({ ...(current.current.key === key ? mergeFirstPage(current.current, first) : first), key });
      })
      .catch(() => undefined);
  }, []);

  const loadMore = useCallback(() => {
    const loaded = current.current;
    if (!loaded.next || loadingMoreRef.current) return;
    const p = params.current;
    const mine = seq.current;
    loadingMoreRef.current = true;
    setLoadingMore(true);
    void api
      .threads({ q: p.q || undefined, archived: p.archived, cursor: loaded.next })
      .then((page) => {
        // A refresh or a new query since: this page belongs to a list that is no longer shown.
        if (mine === seq.current && current.current.key === loaded.key) setList({ ...appendPage(current.current, { threads: page.threads, next: page.nextCursor }), key: loaded.key });
      })
      .catch(() => undefined)
      .finally(() => {
        loadingMoreRef.current = false;
        setLoadingMore(false);
      });
  }, []);

  const remove = useCallback((id: string) => setList((l) => ({ ...l, threads: l.threads.filter((t) => t.id !== id) })), []);

  useEffect(() => {
    if (!enabled) return;
    const timer = setTimeout(refresh, query ? 200 : 0);
    return () => clearTimeout(timer);
  }, [query, archived, enabled, refresh]);

  return { threads: list.threads, hasMore: list.next !== undefined, loadingMore, refresh, loadMore, remove };
}
