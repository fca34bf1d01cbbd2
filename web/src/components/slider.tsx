import styles from "./controls.module.css";

/** A labelled range input (role slider) showing its value. */
export function Slider(props: { label: string; min: number; max: number; step: number; value: number; onChange: (v: number) => void; disabled?: boolean; format?: (v: number) => string; hint?: string | undefined }) {
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
