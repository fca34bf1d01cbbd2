import { useState } from "react";
import type { ThreadSummary } from "../../api/types.js";
import { Dialog } from "../../components/dialog.js";
import { MenuButton } from "../../components/menu.js";
import controls from "../../components/controls.module.css";
import { t } from "../../i18n/index.js";
import { groupByDay } from "./grouping.js";
import styles from "./threads.module.css";

export function Sidebar(props: {
  threads: ThreadSummary[];
  activeId: string | null;
  query: string;
  onQuery: (q: string) => void;
  onNew: () => void;
  navigate: (path: string) => void;
  onRename: (id: string, title: string) => Promise<void>;
  onDelete: (id: string) => Promise<void>;
  footer?: React.ReactNode;
}) {
  const [renaming, setRenaming] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<ThreadSummary | null>(null);
  const [error, setError] = useState<string | null>(null);
  const groups = groupByDay(props.threads);
  return (
    <div className={styles.sidebar}>
      <button type="button" className={styles.newChat} onClick={props.onNew}>
        {t.newChat}
      </button>
      <input type="search" aria-label={t.searchThreads} placeholder={t.searchThreads} className={styles.search} value={props.query} onChange={(e) => props.onQuery(e.target.value)} />
      <nav aria-label={t.threads} className={styles.list}>
        {groups.length === 0 ? <p className={styles.none}>{props.query ? t.noMatches : t.noThreads}</p> : null}
        {groups.map((group) => (
          <div key={group.label}>
            <h2 className={styles.group}>{group.label}</h2>
            <ul>
              {group.threads.map((thread) => (
                <li key={thread.id} className={`${styles.item} ${thread.id === props.activeId ? styles.active : ""}`}>
                  {renaming === thread.id ? (
                    <RenameBox
                      initial={thread.title}
                      onCancel={() => setRenaming(null)}
                      onSave={async (title) => {
                        setRenaming(null);
                        await props.onRename(thread.id, title).catch((e: unknown) => setError((e as Error).message));
                      }}
                    />
                  ) : (
                    <>
                      <a
                        href={`/t/${thread.id}`}
                        aria-current={thread.id === props.activeId ? "page" : undefined}
                        onClick={(e) => {
                          if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
                          e.preventDefault();
                          props.navigate(`/t/${thread.id}`);
                        }}
                      >
                        {thread.title}
                      </a>
                      <MenuButton
                        label={t.threadOptions}
                        icon="⋯"
                        className={styles.options}
                        items={[
                          { label: t.rename, onSelect: () => setRenaming(thread.id) },
                          { label: t.delete, danger: true, onSelect: () => setDeleting(thread) },
                        ]}
                      />
                    </>
                  )}
                </li>
              ))}
            </ul>
          </div>
        ))}
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
                if (target) void props.onDelete(target.id).catch((e: unknown) => setError((e as Error).message));
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
