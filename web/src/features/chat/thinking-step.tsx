import { memo, useEffect, useId, useState } from "react";
import type { ReasoningPart, RedactedReasoningPart } from "../../api/types.js";
import { t } from "../../i18n/index.js";
import { Markdown } from "../../components/markdown/markdown.js";
import styles from "./chat.module.css";
import { thinkingDuration } from "./duration.js";
import { sameParts } from "./steps.js";

/**
 * A thinking step: reasoning blocks in a row (readable or redacted), expanded while the model thinks, collapsed
 * afterwards with how long it took (`ms`, known for the answer's first step only).
 */
export const ThinkingStep = memo(
  function ThinkingStep(props: { parts: (ReasoningPart | RedactedReasoningPart)[]; thinking: boolean; ms: number | undefined; startedAt?: number | undefined }) {
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
            {props.thinking ? (
              <span aria-hidden="true" className={styles.ellipsis}>
                …
              </span>
            ) : null}
          </button>
          {/* While thinking: how long so far (the label says "Thinking…" once); afterwards: how long it took. */}
          <span className={styles.thinkingTime} aria-live="polite">
            {props.thinking ? (elapsed !== undefined ? thinkingDuration(elapsed) : null) : elapsed !== undefined ? t.thoughtFor(thinkingDuration(elapsed)) : null}
          </span>
        </div>
        <div id={regionId} hidden={!open} className={styles.thinkingBody}>
          {props.parts.map((part, i) =>
            part.type === "reasoning" ? <Markdown key={i} text={part.text} streaming={props.thinking && i === props.parts.length - 1} /> : <p key={i} className={styles.redacted}>
                {t.redactedReasoning}
              </p>,
          )}
        </div>
      </div>
    );
  },
  (a, b) => sameParts(a.parts, b.parts) && a.thinking === b.thinking && a.ms === b.ms && a.startedAt === b.startedAt,
);
