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

/** A labelled range input (role slider) showing its value. */
export function Slider(props: { label: string; min: number; max: number; step: number; value: number; onChange: (v: number) => void; disabled?: boolean; format?: (v: number) => string; hint?: string }) {
  const id = `slider-${props.label.replace(/\W+/g, "-").toLowerCase()}`;
  return (
    <div className={styles.field}>
      <div className={styles.fieldHead}>
        <label htmlFor={id}>{props.label}</label>
        <output htmlFor={id} className={styles.value}>
          {props.format ? props.format(props.value) : props.value}
        </output>
      </div>
      <input id={id} type="range" min={props.min} max={props.max} step={props.step} value={props.value} disabled={props.disabled} onChange={(e) => props.onChange(Number(e.target.value))} />
      {props.hint ? <p className={styles.hint}>{props.hint}</p> : null}
    </div>
  );
}
