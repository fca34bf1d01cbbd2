import { useId } from "react";
import styles from "./controls.module.css";

/**
 * An accessible on/off switch (role switch, named by its label, described by its hint). Ids are unique per
 * instance, so several switches may share a label (each server's "Enabled").
 */
export function Switch(props: { label: string; checked: boolean; onChange: (checked: boolean) => void; disabled?: boolean; hint?: string | undefined }) {
  const id = useId();
  return (
    <div className={styles.row}>
      <span className={styles.labelText}>
        <span id={`${id}-label`}>{props.label}</span>
        {props.hint ? (
          <span className={styles.hint} id={`${id}-hint`}>
            {props.hint}
          </span>
        ) : null}
      </span>
      <button
        type="button"
        role="switch"
        aria-checked={props.checked}
        aria-labelledby={`${id}-label`}
        {...(props.hint ? { "aria-describedby": `${id}-hint` } : {})}
        disabled={props.disabled}
        className={styles.switch}
        onClick={() => props.onChange(!props.checked)}
      >
        <span className={styles.thumb} />
      </button>
    </div>
  );
}
