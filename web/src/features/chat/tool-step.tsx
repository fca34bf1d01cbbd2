import { memo, useEffect, useId, useState } from "react";
import type { ToolResultPart, ToolUsePart } from "../../api/types.js";
import { t } from "../../i18n/index.js";
import { MessageFiles } from "./attachments.js";
import styles from "./chat.module.css";
import { prettyJson, resultBlocks, splitToolName } from "./tool-format.js";

/**
 * A tool call and its result, collapsible: "Used <tool> (<server>)" with its state (a spinner while it runs,
 * done, failed); opened, its input and result as indented JSON, and the result's images. A failed call opens by
 * itself, so the reason is in sight.
 */
export const ToolStep = memo(function ToolStep(props: { use: ToolUsePart | undefined; result: ToolResultPart | undefined; running: boolean }) {
  const { use, result } = props;
  const { tool, server } = splitToolName(use?.name ?? t.unknownTool);
  const label = server ? t.toolUsedOn(tool, server) : t.toolUsed(tool);
  const state = result ? result.status : props.running ? "running" : "none";
  const [open, setOpen] = useState(state === "error");
  const regionId = useId();
  useEffect(() => {
    if (state === "error") setOpen(true);
  }, [state]);
  const status = state === "error" ? t.toolFailed : state === "success" ? t.toolDone : state === "running" ? t.toolRunning : t.toolNoResult;
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
          {state === "running" ? <span className={styles.spinner} aria-hidden="true" /> : null}
          {status}
        </span>
      </div>
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
