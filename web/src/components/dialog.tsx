import { useEffect, useId, useRef, type ReactNode } from "react";
import styles from "./controls.module.css";

/** A modal dialog on the native <dialog> element (focus trap, Esc to close), named by its title. */
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
