import { useEffect, useId, useState } from "react";
import { t } from "../../i18n/index.js";
import { Markdown } from "../../components/markdown/Markdown.js";
import styles from "./chat.module.css";
import { thinkingDuration } from "./duration.js";



/** The model's reasoning: expanded while it thinks, collapsed afterwards with how long it took. */
export function ThinkingStep(props: { text: string; thinking: boolean; ms: number | undefined; redacted: boolean; startedAt?: number | undefined }) {
  const [open, setOpen] = useState(props.thinking);
  const [, tick] = useState(0);
  const regionId = useId();
  useEffect(() => setOpen(props.thinking), [props.thinking]);
  useEffect(() => {
    if (!props.thinking) return;
    const timer = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(timer);
  }, [props.thinking]);
  const elapsed = props.ms ?? (props.startedAt ? Date.now() - props.startedAt : undefined);
  return (
    <div className={styles.thinking}>
      <div className={styles.thinkingHead}>
        <button type="button" className={styles.thinkingToggle} aria-expanded={open} aria-controls={regionId} onClick={() => setOpen(!open)}>
          <span aria-hidden="true" className={styles.chevron}>
            {open ? "▾" : "▸"}
          </span>
          {t.thinking}
        </button>
        <span className={styles.thinkingTime} aria-live="polite">
          {props.thinking ? t.thinkingNow : elapsed !== undefined ? t.thoughtFor(thinkingDuration(elapsed)) : null}
        </span>
      </div>
      <div id={regionId} hidden={!open} className={styles.thinkingBody}>
        {props.redacted && !props.text ? <p>{t.redactedReasoning}</p> : <Markdown text={props.text} streaming={props.thinking} />}
        {props.redacted && props.text ? <p>{t.redactedReasoning}</p> : null}
      </div>
    </div>
  );
}
