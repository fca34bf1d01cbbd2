import { useEffect, useState } from "react";
import { lineDiff } from "../../../../src/shared/line-diff.js";
import type { PromptDetail, PromptVersionText } from "../../../../src/shared/prompts.js";
import { api } from "../../api/client.js";
import forms from "../../components/forms.module.css";
import { t } from "../../i18n/index.js";
import styles from "./prompts.module.css";

/** One version: its text, note and date, a diff against the version before, and Roll back (pin it). */
export function VersionView(props: { prompt: PromptDetail; version: number; busy: boolean; onRollBack: () => void }) {
  const { prompt, version } = props;
  const [texts, setTexts] = useState<{ current: PromptVersionText; before: PromptVersionText | null } | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const before = prompt.versions.filter((v) => v.version < version).at(-1)?.version;
    Promise.all([api.admin.prompts.version(prompt.name, version), before ? api.admin.prompts.version(prompt.name, before) : Promise.resolve(null)]).then(
      ([current, previous]) => setTexts({ current: current.version, before: previous?.version ?? null }),
      (e: unknown) => setError((e as Error).message),
    );
  }, [prompt.name, prompt.versions, version]);
  if (error) return <p role="alert" className={forms.error}>{error}</p>;
  if (!texts) return <p aria-busy="true" />;
  const diff = texts.before ? lineDiff(texts.before.text, texts.current.text) : null;
  const inUse = prompt.inUse === version;
  return (
    <section aria-label={t.promptVersionLabel(version)}>
      <dl className={styles.facts}>
        <dt>{t.promptNoteLabel}</dt>
        <dd>{texts.current.note ?? "—"}</dd>
        <dt>{t.promptCreated}</dt>
        <dd>{new Date(texts.current.createdAt).toLocaleString()}</dd>
      </dl>
      <pre className={styles.preview} aria-label={t.promptVersionLabel(version)}>
        {texts.current.text}
      </pre>
      <div className={styles.actions}>
        <button type="button" className={forms.primary} disabled={props.busy || inUse} onClick={props.onRollBack}>
          {t.promptRollBack}
        </button>
        {inUse ? <span className={forms.hint}>{t.promptInUseNow}</span> : null}
      </div>
      <h3 className={styles.subheading}>{texts.before ? t.promptDiff(texts.before.version) : t.promptFirstVersion}</h3>
      {diff ? (
        <pre className={styles.diff} aria-label={t.promptDiff(texts.before!.version)}>
          {diff.every((l) => l.kind === "same")
            ? t.promptNoChanges
            : diff.map((line, i) => (
                <div key={i} className={line.kind === "added" ? styles.added : line.kind === "removed" ? styles.removed : styles.same}>
                  {line.kind === "added" ? "+ " : line.kind === "removed" ? "- " : "  "}
                  {line.text}
                </div>
              ))}
        </pre>
      ) : null}
    </section>
  );
}
