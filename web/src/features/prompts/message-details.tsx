import type { SystemPromptUse } from "../../../../src/shared/prompts.js";
import { t } from "../../i18n/index.js";
import styles from "./message-details.module.css";

/** An answer's details, on demand (issue 13): which system prompt it used (a prompt version, your own, or config.json's). */
export function MessageDetails(props: { systemPrompt: SystemPromptUse | undefined }) {
  const use = props.systemPrompt;
  if (!use) return null;
  const line = use.source === "prompt" ? t.detailsPromptVersion(use.name, use.version) : use.source === "override" ? t.detailsPromptOverride : t.detailsPromptConfig;
  return (
    <details className={styles.details}>
      <summary>{t.messageDetails}</summary>
      <p>{line}</p>
    </details>
  );
}
