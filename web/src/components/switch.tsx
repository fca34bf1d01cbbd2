import styles from "./controls.module.css";

/** An accessible on/off switch (role switch, named by its label). */
export function Switch(props: { label: string; checked: boolean; onChange: (checked: boolean) => void; disabled?: boolean; hint?: string }) {
  const id = `switch-${props.label.replace(/\W+/g, "-").toLowerCase()}`;
  return (
    <div className={styles.row}>
      <span className={styles.labelText} id={`${id}-label`}>
        {props.label}
        {props.hint ? <span className={styles.hint}>{props.hint}</span> : null}
      </span>
      <button
        type="button"
        role="switch"
        aria-checked={props.checked}
        aria-labelledby={`${id}-label`}
        disabled={props.disabled}
        className={styles.switch}
        onClick={() => props.onChange(!props.checked)}
      >
        <span className={styles.thumb} />
      </button>
    </div>
  );
}
