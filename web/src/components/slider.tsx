import { useEffect, useState } from "react";
import styles from "./controls.module.css";

/**
 * A labelled range input (role slider) with a number box beside it (role spinbutton, the same name): drag, or type
 * an exact value such as 12000. A typed value is kept within min and max (not snapped to the slider's steps: any
 * whole number in range is a valid Max tokens) and applied on Enter or when the box loses focus. The hint says
 * what the setting does; `defaultValue` is marked in it.
 */
export function Slider(props: {
  label: string;
  min: number;
  max: number;
  step: number;
  value: number;
  onChange: (v: number) => void;
  disabled?: boolean;
  format?: (v: number) => string;
  hint?: string | undefined;
  defaultValue?: number | undefined;
  defaultLabel?: (formatted: string) => string;
}) {
  const id = `slider-${props.label.replace(/\W+/g, "-").toLowerCase()}`;
  const [typed, setTyped] = useState<string | null>(null);
  useEffect(() => setTyped(null), [props.value]);
  const decimals = (String(props.step).split(".")[1] ?? "").length;
  const commit = () => {
    if (typed === null) return;
    const parsed = Number(typed.replace(/[\s,]/g, ""));
    setTyped(null);
    if (typed.trim() === "" || !Number.isFinite(parsed)) return;
    const clamped = Math.min(props.max, Math.max(props.min, parsed));
    const rounded = Number(clamped.toFixed(decimals));
    if (rounded !== props.value) props.onChange(rounded);
  };
  const format = (v: number) => (props.format ? props.format(v) : String(v));
  const hint = [props.hint, props.defaultValue !== undefined && props.defaultLabel ? props.defaultLabel(format(props.defaultValue)) : undefined].filter(Boolean).join(" ");
  return (
    <div className={styles.field}>
      <div className={styles.fieldHead}>
        <label htmlFor={id}>{props.label}</label>
        <input
          type="number"
          className={styles.numberBox}
          aria-label={props.label}
          min={props.min}
          max={props.max}
          step={decimals ? props.step : 1}
          value={typed ?? String(props.value)}
          disabled={props.disabled}
          onChange={(e) => setTyped(e.target.value)}
          onBlur={commit}
          onKeyDown={(e) => {
            if (e.key === "Enter") {
              e.preventDefault();
              commit();
            } else if (e.key === "Escape" && typed !== null) {
              e.stopPropagation();
              setTyped(null);
            }
          }}
        />
      </div>
      <input id={id} type="range" min={props.min} max={props.max} step={props.step} value={props.value} disabled={props.disabled} onChange={(e) => props.onChange(Number(e.target.value))} />
      {hint ? <p className={styles.hint}>{hint}</p> : null}
    </div>
  );
}
