import { useEffect, useId, useRef, useState } from "react";
import { api } from "../../api/client.js";
import type { ThreadSummary } from "../../api/types.js";
import { Dialog } from "../../components/dialog.js";
import type { MenuItem } from "../../components/menu.js";
import controls from "../../components/controls.module.css";
import { t } from "../../i18n/index.js";
import { saveFile } from "./download.js";
import { groupByDay } from "./grouping.js";
import { ThreadRow } from "./thread-row.js";
import { useThreadList, type ThreadList } from "./use-thread-list.js";
import styles from "./threads.module.css";

/**
 * The thread list: New chat, search, the threads (Pinned, then by day of last activity), a page more as the list
 * scrolls to its end, and the Archived threads apart. `onCollapse` (wide screens) hides the list.
 */
export function Sidebar(props: {
  list: ThreadList;
  activeId: string | null;
  query: string;
  onQuery: (q: string) => void;
  onNew: () => void;
  navigate: (path: string) => void;
  onRename: (id: string, title: string) => Promise<void>;
  onDelete: (id: string) => Promise<void>;
  onCollapse?: () => void;
  footer?: React.ReactNode;
}) {
  const [renaming, setRenaming] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<ThreadSummary | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [view, setView] = useState<"list" | "archived">("list");
  const archive = useThreadList(props.query, { archived: true, enabled: view === "archived" });
  const shown = view === "archived" ? archive : props.list;
  const keysId = useId();
  // A new search or the other list starts at its top (and not at a "Load more" left in view).
  const nav = useRef<HTMLElement>(null);
  useEffect(() => {
    nav.current?.scrollTo(0, 0);
  }, [props.query, view]);
  /** The thread whose row keeps the focus when a pin moves it to another group. */
  const refocus = useRef<string | null>(null);
  const takeFocus = (id: string) => () => {
    if (refocus.current !== id || (document.activeElement && document.activeElement !== document.body)) return false;
    refocus.current = null;
    return true;
  };
  const groups = view === "archived" ? (shown.threads.length ? [{ label: t.archived, threads: shown.threads }] : []) : groupByDay(shown.threads);

  const fail = (e: unknown) => setError((e as Error).message);
  const act = (work: Promise<unknown>) =>
    void work.then(() => {
      setError(null);
      props.list.refresh();
      if (view === "archived") archive.refresh();
    }, fail);
  const itemsFor = (thread: ThreadSummary): MenuItem[] => [
    { label: t.rename, onSelect: () => setRenaming(thread.id) },
    ...(thread.archivedAt
      ? [{ label: t.restore, onSelect: () => act(api.archiveThread(thread.id, false)) }]
      : [
          {
            label: thread.pinned ? t.unpin : t.pin,
            onSelect: () => {
              refocus.current = thread.id;
              act(api.pinThread(thread.id, !thread.pinned));
            },
          },
          { label: t.archive, onSelect: () => act(api.archiveThread(thread.id, true)) },
        ]),
    { label: t.exportMarkdown, onSelect: () => void api.exportThread(thread.id, "markdown").then((f) => saveFile(f.name, f.blob), fail) },
    { label: t.exportJson, onSelect: () => void api.exportThread(thread.id, "json").then((f) => saveFile(f.name, f.blob), fail) },
    { label: t.delete, danger: true, onSelect: () => setDeleting(thread) },
  ];

  return (
    <div className={styles.sidebar}>
      <div className={styles.top}>
        <button type="button" className={styles.newChat} onClick={props.onNew}>
          {t.newChat}
        </button>
        {props.onCollapse ? (
          <button type="button" className={styles.collapse} aria-label={t.hideThreads} title={t.hideThreads} onClick={props.onCollapse}>
            <span aria-hidden="true">«</span>
          </button>
        ) : null}
      </div>
      <input type="search" aria-label={t.searchThreads} placeholder={t.searchThreads} className={styles.search} value={props.query} onChange={(e) => props.onQuery(e.target.value)} />
      <nav ref={nav} aria-label={t.threads} className={styles.list}>
        <p id={keysId} hidden>
          {t.threadKeys}
        </p>
        {view === "archived" ? (
          <button type="button" className={styles.back} onClick={() => setView("list")}>
            <span aria-hidden="true">‹ </span>
            {t.backToThreads}
          </button>
        ) : null}
        {groups.length === 0 ? <p className={styles.none}>{props.query ? t.noMatches : view === "archived" ? t.noArchived : t.noThreads}</p> : null}
        {groups.map((group) => (
          <div key={group.label}>
            <h2 className={styles.group}>{group.label}</h2>
            <ul>
              {group.threads.map((thread) =>
                renaming === thread.id ? (
                  <li key={thread.id} className={`${styles.item} ${thread.id === props.activeId ? styles.active : ""}`}>
                    <RenameBox
                      initial={thread.title}
                      onCancel={() => setRenaming(null)}
                      onSave={async (title) => {
                        setRenaming(null);
                        await props.onRename(thread.id, title).catch(fail);
                        if (view === "archived") archive.refresh();
                      }}
                    />
                  </li>
                ) : (
                  <ThreadRow key={thread.id} thread={thread} active={thread.id === props.activeId} query={props.query.trim()} keysId={keysId} items={itemsFor(thread)} onOpen={() => props.navigate(`/t/${thread.id}`)} takeFocus={takeFocus(thread.id)} />
                ),
              )}
            </ul>
          </div>
        ))}
        {shown.hasMore ? <LoadMore list={shown} /> : null}
        {view === "list" ? (
          <button type="button" className={styles.archivedLink} onClick={() => setView("archived")}>
            {t.showArchived}
          </button>
        ) : null}
      </nav>
      {error ? (
        <p role="alert" className={styles.error}>
          {error}
        </p>
      ) : null}
      {props.footer}
      <Dialog
        title={t.deleteThread}
        open={deleting !== null}
        onClose={() => setDeleting(null)}
        footer={
          <>
            <button type="button" onClick={() => setDeleting(null)}>
              {t.cancel}
            </button>
            <button
              type="button"
              className={controls.dangerButton}
              onClick={() => {
                const target = deleting;
                setDeleting(null);
                if (!target) return;
                void props.onDelete(target.id).then(() => {
                  archive.remove(target.id);
                  props.list.remove(target.id);
                }, fail);
              }}
            >
              {t.delete}
            </button>
          </>
        }
      >
        <p>{deleting ? t.deleteConfirm(deleting.title) : null}</p>
      </Dialog>
    </div>
  );
}

/** "Load more" at the end of the list; it also loads by itself when scrolled into view (infinite scroll). */
function LoadMore(props: { list: ThreadList }) {
  const button = useRef<HTMLButtonElement>(null);
  const { loadMore } = props.list;
  useEffect(() => {
    const target = button.current;
    if (!target || typeof IntersectionObserver === "undefined") return;
    const observer = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && loadMore(), { root: target.closest("nav"), rootMargin: "200px" });
    observer.observe(target);
    return () => observer.disconnect();
  }, [loadMore, props.list.threads.length]);
  return (
    <button ref={button} type="button" className={styles.loadMore} disabled={props.list.loadingMore} onClick={loadMore}>
      {props.list.loadingMore ? t.loadingMore : t.loadMore}
    </button>
  );
}

function RenameBox(props: { initial: string; onSave: (title: string) => void; onCancel: () => void }) {
  const [value, setValue] = useState(props.initial);
  return (
    <form
      className={styles.rename}
      onSubmit={(e) => {
        e.preventDefault();
        if (value.trim()) props.onSave(value.trim());
      }}
    >
      <input aria-label={t.renameThread} value={value} autoFocus onChange={(e) => setValue(e.target.value)} onKeyDown={(e) => e.key === "Escape" && props.onCancel()} onBlur={() => (value.trim() ? props.onSave(value.trim()) : props.onCancel())} />
    </form>
  );
}
