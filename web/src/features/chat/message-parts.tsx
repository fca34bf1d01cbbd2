import { memo, useState } from "react";
import type { DocumentPart, ImagePart, Part, TextPart, ToolApprovalEvent, ToolDecision } from "../../api/types.js";
import { Markdown } from "../../components/markdown/markdown.js";
import { MessageFiles } from "./attachments.js";
import { assertNever } from "../../../../src/shared/parts.js";
import { t } from "../../i18n/index.js";
import styles from "./chat.module.css";
import { stepsOf } from "./steps.js";
import { ThinkingStep } from "./thinking-step.js";
import { ToolStep } from "./tool-step.js";

/**
 * A message's parts, walked in order: text, thinking steps, tool steps and file chips, the same for an answer
 * streaming (parts folded from its events) and one read back after a reload. While streaming, only the last step
 * is live; earlier steps keep their part objects, so their memoized blocks do not re-render on each delta.
 */
export function MessageParts(props: {
  parts: readonly Part[];
  role: "user" | "assistant";
  streaming: boolean;
  failed: boolean;
  reasoningMs: number | undefined;
  reasoningStartedAt: number | undefined;
  /** Tool calls of this answer waiting for the user's permission (streaming only). */
  approvals?: readonly ToolApprovalEvent[];
  onToolDecision?: (toolUseId: string, decision: ToolDecision) => Promise<void>;
}) {
  const steps = stepsOf(props.parts);
  const decideTool = props.onToolDecision;
  const approvalFor = (toolUseId: string | undefined) =>
    toolUseId !== undefined && decideTool && props.approvals?.some((a) => a.toolUseId === toolUseId) ? { decide: (decision: ToolDecision) => decideTool(toolUseId, decision) } : undefined;
  const firstThinking = steps.findIndex((s) => s.kind === "thinking");
  const last = props.parts[props.parts.length - 1];
  // Nothing on screen yet, or a tool's result is in and the model has not answered it yet.
  const waiting = props.streaming && !props.failed && (last === undefined || last.type === "toolResult");
  return (
    <>
      {steps.map((step, i) => {
        const live = props.streaming && i === steps.length - 1;
        const previous = steps[i - 1];
        switch (step.kind) {
          case "text":
            return props.role === "user" ? <UserText key={i} text={step.part.text} /> : <TextStep key={i} part={step.part} streaming={live} />;
          case "thinking":
            return (
              <ThinkingStep
                key={i}
                parts={step.parts}
                thinking={live && !props.failed}
                ms={i === firstThinking ? props.reasoningMs : undefined}
                startedAt={i === firstThinking && props.streaming ? props.reasoningStartedAt : undefined}
              />
            );
          case "tool":
            return <ToolStep key={i} use={step.use} result={step.result} running={props.streaming && !props.failed} approval={approvalFor(step.use?.id)} />;
          case "file": {
            // Files next to each other make one row, drawn by the first of them.
            if (previous?.kind === "file") return null;
            const row: (ImagePart | DocumentPart)[] = [];
            for (let k = i; k < steps.length; k++) {
              const next = steps[k]!;
              if (next.kind !== "file") break;
              row.push(next.part);
            }
            return <MessageFiles key={i} parts={row} />;
          }
          default:
            return assertNever(step, "step");
        }
      })}
      {waiting ? <span className={styles.typing} role="status" aria-label={t.working} /> : null}
    </>
  );
}

const TextStep = memo(function TextStep(props: { part: TextPart; streaming: boolean }) {
  // While it streams, a caret pulses after the last character (CSS on the wrapper).
  return props.streaming ? (
    <div className={styles.streamingText}>
      <Markdown text={props.part.text} streaming />
    </div>
  ) : (
    <Markdown text={props.part.text} streaming={false} />
  );
});

const COLLAPSE_AT = 3000;

/** A user's message as written; very long ones (large pastes) show their start until expanded. */
function UserText({ text }: { text: string }) {
  const [all, setAll] = useState(false);
  const long = text.length > COLLAPSE_AT;
  return (
    <>
      <div className={styles.userText}>{long && !all ? `${text.slice(0, COLLAPSE_AT)}…` : text}</div>
      {long ? (
        <button type="button" className={styles.showAll} aria-expanded={all} onClick={() => setAll(!all)}>
          {all ? t.showLess : t.showAll}
        </button>
      ) : null}
    </>
  );
}
