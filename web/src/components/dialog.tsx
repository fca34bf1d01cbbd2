import { useEffect, useId, useRef, type ReactNode } from "react";
import styles from "./controls.module.css";

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/** A modal dialog on the native <dialog> element (focus kept inside, Esc to close), named by its title. */
export function Dialog(props: { title: string; open: boolean; onClose: () => void; children: ReactNode; footer?: ReactNode; wide?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (props.open && !dialog.open) dialog.showModal();
    if (!props.open && dialog.open) dialog.close();
  }, [props.open]);
  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      className={`${styles.dialog} ${props.wide ? styles.wide : ""}`}
      onClose={props.onClose}
      onClick={(e) => {
        if (e.target === ref.current) props.onClose();
      }}
      onKeyDown={(e) => {
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
