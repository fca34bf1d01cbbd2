import { useEffect, useId, useRef, type KeyboardEvent } from "react";
import type { ThreadSummary } from "../../api/types.js";
import { MenuButton, type MenuControl, type MenuItem } from "../../components/menu.js";
import { t } from "../../i18n/index.js";
import { markedPieces, markTerms } from "../../../../src/shared/snippet.js";
import styles from "./threads.module.css";

/** Text with its marked ranges in <mark> (search terms). */
function Marked(props: { text: string; marks: readonly [number, number][] }) {
  return (
    <>
      {markedPieces(props.text, props.marks).map((piece, i) => (piece.marked ? <mark key={i}>{piece.text}</mark> : <span key={i}>{piece.text}</span>))}
    </>
  );
}

/**
 * One thread of the list: one Tab stop (its link). Up and Down arrows move to the next thread, Right arrow, the
 * context-menu key or Shift+F10 open "Thread options" (also on right-click); Esc in the menu comes back here. The
 * full title shows on hover; in search results the matching words are marked, in the title and in the snippet of
 * the message that matched.
 */
export function ThreadRow(props: { thread: ThreadSummary; active: boolean; query: string; keysId: string; items: MenuItem[]; onOpen: () => void; takeFocus?: () => boolean }) {
  const { thread } = props;
  const link = useRef<HTMLAnchorElement>(null);
  const menu = useRef<MenuControl>(null);
  const snippetId = useId();
  // A pinned or unpinned thread moves to another group (a new row): the focus its old row had comes along.
  useEffect(() => {
    if (props.takeFocus?.()) link.current?.focus();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  const onKey = (e: KeyboardEvent<HTMLAnchorElement>) => {
    if (e.key === "ArrowRight" || e.key === "ContextMenu" || (e.key === "F10" && e.shiftKey)) {
      e.preventDefault();
      menu.current?.open();
    } else if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      const rows = [...(link.current?.closest("nav")?.querySelectorAll<HTMLAnchorElement>("a[data-thread]") ?? [])];
      const next = rows[rows.indexOf(link.current!) + (e.key === "ArrowDown" ? 1 : -1)];
      if (next) {
        e.preventDefault();
        next.focus();
      }
    }
  };
  const titleMarks = props.query ? markTerms(thread.title, props.query) : [];
  return (
    <li className={`${styles.item} ${props.active ? styles.active : ""}`}>
      <div className={styles.row}>
        <a
          ref={link}
          data-thread={thread.id}
          href={`/t/${thread.id}`}
          title={thread.title}
          aria-current={props.active ? "page" : undefined}
          aria-describedby={`${thread.snippet ? `${snippetId} ` : ""}${props.keysId}`}
          onKeyDown={onKey}
          onContextMenu={(e) => {
            e.preventDefault();
            menu.current?.open();
          }}
          onClick={(e) => {
            if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
            e.preventDefault();
            props.onOpen();
          }}
        >
          {titleMarks.length ? <Marked text={thread.title} marks={titleMarks} /> : thread.title}
        </a>
        <MenuButton label={t.threadOptions} icon="⋯" className={styles.options} tabIndex={-1} control={menu} returnFocus={() => link.current} items={props.items} />
      </div>
      {thread.snippet ? (
        // The link's description; a click opens the thread too (keyboard users have the link).
        <p id={snippetId} className={styles.snippet} onClick={props.onOpen}>
          <Marked text={thread.snippet.text} marks={thread.snippet.marks} />
        </p>
      ) : null}
    </li>
  );
}
