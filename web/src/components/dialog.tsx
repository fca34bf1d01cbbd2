import { useEffect, useId, useRef, type ReactNode } from "react";
import styles from "./controls.module.css";

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * A dialog on the native <dialog> element, named by its title: modal (focus kept inside, Esc to close), or with
 * `panel` a non-modal side panel beside the page (the page stays usable; Esc closes it; focus moves in on open).
 * Either way focus goes back where it was when it closes.
 */
export function Dialog(props: { title: string; open: boolean; onClose: () => void; children: ReactNode; footer?: ReactNode; wide?: boolean; panel?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  /** What had focus when the panel opened: it gets it back when the panel closes with focus inside. */
  const opener = useRef<HTMLElement | null>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (props.open && !dialog.open) {
      if (props.panel) {
        opener.current = document.activeElement as HTMLElement | null;
        dialog.show();
        dialog.querySelector<HTMLElement>(FOCUSABLE)?.focus();
      } else dialog.showModal();
    }
    if (!props.open && dialog.open) {
      const inside = dialog.contains(document.activeElement);
      dialog.close();
      if (props.panel && inside) opener.current?.focus();
    }
    // The mode is the one it opened with (a resize while open does not reopen it).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [props.open]);
  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      className={`${styles.dialog} ${props.wide ? styles.wide : ""} ${props.panel ? styles.panel : ""}`}
      onClose={props.onClose}
      onClick={(e) => {
        if (e.target === ref.current && !props.panel) props.onClose();
      }}
      onKeyDown={(e) => {
        if (props.panel) {
          // A non-modal dialog has no Esc of its own; Tab may leave it for the conversation beside it.
          if (e.key === "Escape") {
            e.preventDefault();
            e.stopPropagation();
            opener.current?.focus();
            props.onClose();
          }
          return;
        }
        // Tab wraps inside the dialog (a modal <dialog> would otherwise let it leave to the browser's own controls once).
        if (e.key !== "Tab" || !ref.current) return;
        const focusable = [...ref.current.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => !el.hidden && el.offsetParent !== null);
        const first = focusable[0];
        const last = focusable[focusable.length - 1];
        if (!first || !last) return;
        if (e.shiftKey && document.activeElement === first) {
          e.preventDefault();
          last.focus();
        } else if (!e.shiftKey && document.activeElement === last) {
          e.preventDefault();
          first.focus();
        }
      }}
    >
      {props.open ? (
        <>
          <h2 id={titleId} className={styles.dialogTitle}>
            {props.title}
          </h2>
          <div className={styles.dialogBody}>{props.children}</div>
          {props.footer ? <div className={styles.dialogFooter}>{props.footer}</div> : null}
        </>
      ) : null}
    </dialog>
  );
}
