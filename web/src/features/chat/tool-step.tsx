import { memo, useEffect, useId, useState } from "react";
import type { ToolDecision, ToolResultPart, ToolUsePart } from "../../api/types.js";
import { t } from "../../i18n/index.js";
import { MessageFiles } from "./attachments.js";
import controls from "../../components/controls.module.css";
import styles from "./chat.module.css";
import { thinkingDuration } from "./duration.js";
import { prettyJson, resultBlocks, toolNames } from "./tool-format.js";

/**
 * A tool call and its result, collapsible: "Used <tool> (<server>)" with its state (a spinner while it runs,
 * "Done in 2 s", "Failed after 60 s"); opened, its input and result as indented JSON, and the result's images. A
 * failed call opens by itself, so the reason is in sight.
 */
export const ToolStep = memo(function ToolStep(props: {
  use: ToolUsePart | undefined;
  result: ToolResultPart | undefined;
  running: boolean;
  /** Set while the call waits for the user's permission: Allow, Always allow (this tool), Deny. */
  approval?: { decide(decision: ToolDecision): Promise<void> } | undefined;
}) {
  const { use, result, approval } = props;
  const { tool, server } = toolNames(use ?? { name: t.unknownTool });
  const label = server ? t.toolUsedOn(tool, server) : t.toolUsed(tool);
  const state = result ? result.status : approval ? "waiting" : props.running ? "running" : "none";
  // A failed call opens by itself (the reason in sight), and so does one waiting for permission (what it would do).
  const [open, setOpen] = useState(state === "error" || state === "waiting");
  const regionId = useId();
  useEffect(() => {
    if (state === "error" || state === "waiting") setOpen(true);
  }, [state]);
  const [deciding, setDeciding] = useState(false);
  const decide = (decision: ToolDecision) => {
    if (!approval) return;
    setDeciding(true);
    void approval.decide(decision).finally(() => setDeciding(false));
  };
  const took = result?.durationMs !== undefined ? thinkingDuration(result.durationMs) : undefined;
  const status =
    result?.notRun === "declined" ? t.toolDeclined : result?.notRun === "stopped" ? t.toolNotRun : state === "error" ? (took ? t.toolFailedAfter(took) : t.toolFailed) : state === "success" ? (took ? t.toolDoneIn(took) : t.toolDone) : state === "running" ? t.toolRunning : state === "waiting" ? t.toolWaiting : t.toolNoResult;
  const blocks = result ? resultBlocks(result.content) : [];
  return (
    <div role="group" aria-label={label} className={styles.tool} data-status={state}>
      <div className={styles.toolHead}>
        <button type="button" className={styles.toolToggle} aria-expanded={open} aria-controls={regionId} onClick={() => setOpen(!open)}>
          <span aria-hidden="true" className={styles.chevron}>
            {open ? "▾" : "▸"}
          </span>
          <svg aria-hidden="true" className={styles.toolIcon} viewBox="0 0 24 24" width="14" height="14" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
            <path d="M14.7 6.3a1 1 0 0 0 0 1.4l1.6 1.6a1 1 0 0 0 1.4 0l3.77-3.77a6 6 0 0 1-7.94 7.94l-6.91 6.91a2.12 2.12 0 0 1-3-3l6.91-6.91a6 6 0 0 1 7.94-7.94l-3.76 3.76z" />
          </svg>
          <span className={styles.toolLabel}>
            {t.toolUsedPrefix} <span className={styles.toolName}>{tool}</span>
            {server ? <span className={styles.toolServer}> ({server})</span> : null}
          </span>
        </button>
        <span className={styles.toolStatus} aria-live="polite">
          {state === "running" ? <span className={controls.spinner} aria-hidden="true" /> : null}
          {status}
        </span>
      </div>
      {approval ? (
        <div className={styles.toolApproval} role="group" aria-label={t.toolApprovalGroup(tool)}>
          <span className={styles.toolApprovalText}>{t.toolApprovalQuestion}</span>
          <button type="button" className={styles.toolAllow} disabled={deciding} onClick={() => decide("allow")}>
            {t.toolAllow}
          </button>
          <button type="button" disabled={deciding} onClick={() => decide("always")}>
            {t.toolAlwaysAllow}
          </button>
          <button type="button" disabled={deciding} onClick={() => decide("deny")}>
            {t.toolDeny}
          </button>
        </div>
      ) : null}
      <div id={regionId} hidden={!open} className={styles.toolBody}>
        {use ? (
          <>
            <div className={styles.toolSection}>{t.toolInput}</div>
            <pre className={styles.toolCode}>{prettyJson(use.input) || "{}"}</pre>
          </>
        ) : null}
        {result ? (
          <>
            <div className={styles.toolSection}>{result.status === "error" ? t.toolError : t.toolResult}</div>
            {blocks.length === 0 ? <p className={styles.toolEmpty}>{t.toolEmptyResult}</p> : null}
            {blocks.map((block, i) =>
              block.kind === "text" ? (
                <pre key={i} className={styles.toolCode}>
                  {block.text}
                </pre>
              ) : block.kind === "more" ? (
                <p key={i} className={styles.toolMore}>
                  {t.toolResultShown(block.shown.toLocaleString("en-US"), block.chars.toLocaleString("en-US"))}{" "}
                  <a href={block.url} download>
                    {t.toolResultDownload}
                  </a>
                </p>
              ) : (
                <MessageFiles key={i} parts={[block.part]} />
              ),
            )}
          </>
        ) : null}
      </div>
    </div>
  );
});
