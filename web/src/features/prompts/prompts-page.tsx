import { useCallback, useEffect, useMemo, useState } from "react";
import { placeholdersIn, renderSystemPrompt } from "../../../../src/engine/system-prompt.js";
import { PROMPT_NOTE_LIMIT, PROMPT_TEXT_LIMIT, type PromptDetail, type PromptSummaryInfo } from "../../../../src/shared/prompts.js";
import { api, ApiError } from "../../api/client.js";
import { Dialog } from "../../components/dialog.js";
import { FormError } from "../../components/form-error.js";
import forms from "../../components/forms.module.css";
import { t } from "../../i18n/index.js";
import { ThemePicker } from "../theme.js";
import admin from "../admin/admin.module.css";
import { VersionView } from "./version-view.js";
import styles from "./prompts.module.css";

const DRAFT = "draft";

/**
 * The admin Prompts page (issue 13): one entry per prompt (named after its profile, "Default" for the default
 * prompt); the draft with a live preview and a character count, Save draft, Publish version (with a note), every
 * version with its note, date, diff and figures, and Roll back. A refused change keeps what was typed.
 */
export function PromptsPage(props: { onAdmin: () => void; onChat: () => void }) {
  const [store, setStore] = useState<"local" | "bedrock" | null>(null);
  const [list, setList] = useState<PromptSummaryInfo[]>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const [detail, setDetail] = useState<PromptDetail | null>(null);
  const [text, setText] = useState("");
  const [choice, setChoice] = useState(DRAFT);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [publishing, setPublishing] = useState(false);
  const [note, setNote] = useState("");

  useEffect(() => {
    document.title = `${t.prompts} · ${t.appName}`;
    api.admin.prompts.list().then(
      (r) => {
        setStore(r.store);
        setList(r.prompts);
        setSelected((s) => s ?? r.prompts[0]?.name ?? null);
      },
      (e: unknown) => setError((e as Error).message),
    );
  }, []);
  const show = useCallback((prompt: PromptDetail, keepText = false) => {
    setDetail(prompt);
    setList((items) => items.map((i) => (i.name === prompt.name ? { ...i, inUse: prompt.inUse, serving: prompt.serving, problem: prompt.problem } : i)));
    if (!keepText) setText(prompt.draft?.text ?? "");
  }, []);
  useEffect(() => {
    if (!selected) return;
    setChoice(DRAFT);
    setStatus(null);
    setError(null);
    api.admin.prompts.get(selected).then((r) => show(r.prompt), (e: unknown) => setError((e as Error).message));
  }, [selected, show]);

  const act = async (work: () => Promise<string>) => {
    setBusy(true);
    setError(null);
    setStatus(null);
    try {
      setStatus(await work());
    } catch (e) {
      // What was typed stays in the box: only the message changes.
      setError(e instanceof ApiError ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  const { unknown } = useMemo(() => placeholdersIn(text), [text]);
  const preview = useMemo(() => renderSystemPrompt(text, new Date()), [text]);
  const tooLong = text.length > PROMPT_TEXT_LIMIT;
  const dirty = detail?.draft ? text !== detail.draft.text : false;
  const versionNumber = choice === DRAFT ? null : Number(choice);

  return (
    <div className={admin.page}>
      <header className={admin.header}>
        <h1 className={admin.title}>{t.promptsTitle}</h1>
        <nav aria-label={t.admin} className={admin.nav}>
          <a href="/admin" onClick={(e) => (e.preventDefault(), props.onAdmin())}>
            {t.admin}
          </a>
          <a href="/" onClick={(e) => (e.preventDefault(), props.onChat())}>
            {t.backToChat}
          </a>
        </nav>
        <ThemePicker className={admin.theme} />
      </header>
      <div className={styles.layout}>
        <nav aria-label={t.promptsList} className={styles.list}>
          {list.map((p) => (
            <a
              key={p.name}
              href={`/admin/prompts#${p.name}`}
              aria-current={p.name === selected ? "page" : undefined}
              onClick={(e) => {
                e.preventDefault();
                setSelected(p.name);
              }}
            >
              {p.label}
            </a>
          ))}
        </nav>
        <main className={styles.editor}>
          <div aria-live="polite">
            <FormError message={error} />
            {status ? <p className={forms.success}>{status}</p> : null}
          </div>
          {detail ? (
            <>
              <h2 className={styles.heading}>{detail.label}</h2>
              <p className={forms.hint}>
                {store ? t.promptStore(store) : null} · <code>{detail.name}</code>
              </p>
              {detail.profiles.length > 3 ? (
                <details className={styles.usedBy}>
                  <summary>{t.promptUsedByCount(detail.profiles.length)}</summary>
                  <p className={forms.hint}>{detail.profiles.join(", ")}</p>
                </details>
              ) : (
                <p className={forms.hint}>{t.promptUsedBy(detail.profiles)}</p>
              )}
              {detail.serving !== "pinned" ? (
                <p role="status" className={styles.problem}>
                  {detail.serving === "cached" ? t.promptServingCached : t.promptServingConfig} {detail.problem}
                </p>
              ) : null}
              <div className={styles.toolbar}>
                <label className={styles.versionPicker}>
                  <span>{t.promptVersion}</span>
                  <select value={choice} onChange={(e) => setChoice(e.target.value)}>
                    <option value={DRAFT}>{dirty ? `${t.promptDraft} (${t.promptUnsaved.toLowerCase()})` : t.promptDraft}</option>
                    {[...detail.versions].reverse().map((v) => (
                      <option key={v.version} value={String(v.version)}>
                        {v.version === detail.inUse ? t.promptVersionInUse(v.version) : t.promptVersionLabel(v.version)}
                      </option>
                    ))}
                  </select>
                </label>
              </div>
              {versionNumber === null ? (
                <section aria-label={t.promptDraft}>
                  <div className={styles.field}>
                    <label htmlFor="prompt-text">{t.promptText}</label>
                    <textarea id="prompt-text" rows={12} value={text} onChange={(e) => setText(e.target.value)} disabled={!detail.draft} spellCheck />
                    <p className={`${forms.hint} ${tooLong ? styles.over : ""}`}>{t.promptCharacters(text.length, PROMPT_TEXT_LIMIT)}</p>
                    {tooLong ? <p className={styles.warning}>{t.promptTooLong(PROMPT_TEXT_LIMIT)}</p> : null}
                    {unknown.length ? <p className={styles.warning}>{t.promptUnknownPlaceholders(unknown)}</p> : null}
                  </div>
                  <div className={styles.actions}>
                    <button type="button" disabled={busy || tooLong || !detail.draft} onClick={() => void act(async () => (show((await api.admin.prompts.saveDraft(detail.name, text)).prompt), t.promptDraftSaved))}>
                      {t.promptSaveDraft}
                    </button>
                    <button type="button" className={forms.primary} disabled={busy || tooLong || !detail.draft} onClick={() => setPublishing(true)}>
                      {t.promptPublishVersion}
                    </button>
                  </div>
                  <h3 className={styles.subheading}>{t.promptPreview}</h3>
                  <pre className={styles.preview} aria-label={t.promptPreview}>
                    {preview}
                  </pre>
                </section>
              ) : (
                <VersionView
                  key={`${detail.name}:${versionNumber}`}
                  prompt={detail}
                  version={versionNumber}
                  busy={busy}
                  onRollBack={() =>
                    void act(async () => {
                      show((await api.admin.prompts.rollBack(detail.name, versionNumber)).prompt, true);
                      return t.promptRolledBack(versionNumber);
                    })
                  }
                />
              )}
              <StatsTable prompt={detail} />
            </>
          ) : null}
        </main>
      </div>
      <Dialog
        title={t.promptPublishVersion}
        open={publishing}
        onClose={() => setPublishing(false)}
        footer={
          <>
            <button type="button" onClick={() => setPublishing(false)}>
              {t.cancel}
            </button>
            <button
              type="button"
              className={forms.primary}
              disabled={busy || note.length > PROMPT_NOTE_LIMIT}
              onClick={() => {
                setPublishing(false);
                void act(async () => {
                  const published = await api.admin.prompts.publish(detail!.name, { text, ...(note.trim() ? { note: note.trim() } : {}) });
                  show(published.prompt);
                  setNote("");
                  return t.promptPublished(published.version);
                });
              }}
            >
              {t.promptPublish}
            </button>
          </>
        }
      >
        <div className={forms.field}>
          <label htmlFor="prompt-note">{t.promptNote}</label>
          <input id="prompt-note" value={note} maxLength={PROMPT_NOTE_LIMIT} onChange={(e) => setNote(e.target.value)} />
        </div>
        <p className={forms.hint}>{t.promptNoteHint}</p>
      </Dialog>
    </div>
  );
}

/** Per version: how many answers used it, their tokens and total cost. */
function StatsTable({ prompt }: { prompt: PromptDetail }) {
  if (!prompt.versions.length) return null;
  return (
    <section aria-labelledby="prompt-stats" className={styles.stats}>
      <h3 id="prompt-stats" className={styles.subheading}>
        {t.promptStats}
      </h3>
      <div className={admin.tableWrap}>
        <table aria-labelledby="prompt-stats" className={admin.table}>
          <thead>
            <tr>
              <th>{t.promptVersion}</th>
              <th className={admin.num}>{t.promptStatsAnswers}</th>
              <th className={admin.num}>{t.promptStatsInput}</th>
              <th className={admin.num}>{t.promptStatsOutput}</th>
              <th className={admin.num}>{t.promptStatsCost}</th>
            </tr>
          </thead>
          <tbody>
            {[...prompt.versions].reverse().map((v) => (
              <tr key={v.version}>
                <td>{v.version === prompt.inUse ? t.promptVersionInUse(v.version) : t.promptVersionLabel(v.version)}</td>
                <td className={admin.num}>{v.stats.answers.toLocaleString()}</td>
                <td className={admin.num}>{v.stats.inputTokens.toLocaleString()}</td>
                <td className={admin.num}>{v.stats.outputTokens.toLocaleString()}</td>
                <td className={admin.num}>${v.stats.cost}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
