import { forwardRef, useEffect, useId, useImperativeHandle, useRef, useState } from "react";
import { t } from "../../i18n/index.js";
import { pastedName } from "./attachment-checks.js";
import { FileChip, PaperclipIcon } from "./attachments.js";
import attachmentStyles from "./attachments.module.css";
import styles from "./chat.module.css";
import { flushDraft, loadDraft, saveDraft } from "./drafts.js";
import type { PendingFile } from "./use-pending-files.js";

export interface ComposerHandle {
  clear(): void;
  focus(): void;
  /** Puts a message back in the box (its send failed: nothing typed is lost). */
  restore(text: string): void;
  /** Puts a suggestion in the box (after what is typed there, never over it) and focuses it, caret at the end. */
  suggest(text: string): void;
}

const MAX_ROWS = 10;
/** Pastes longer than this become a chip beside the box: a megabyte in a textarea makes every key slow. */
export const LARGE_PASTE = 20_000;

const sizeOf = (text: string) => (text.length >= 1024 * 1024 ? `${(text.length / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(text.length / 1024)} KB`);

/** Rows for the text: counted on small texts only (counting a megabyte on every key would cost more than it helps). */
function rowsFor(el: HTMLTextAreaElement): number {
  if (el.textLength > 4000) return MAX_ROWS;
  let rows = 1;
  for (const line of el.value.split("\n")) rows += Math.floor(line.length / 80) + 1;
  return Math.min(MAX_ROWS, rows - 1);
}

/** Whether the box is empty, without copying a large text (textLength is cheap, value is a copy). */
function isBlank(el: HTMLTextAreaElement): boolean {
  if (el.textLength === 0) return true;
  return el.textLength < 200 && el.value.trim() === "";
}

export interface ComposerProps {
  draftKey: string;
  generating: boolean;
  disabled: boolean;
  onSend: (text: string) => void;
  onStop: () => void;
  /** Files attached to the message (uploading or uploaded); Send waits for the uploads. */
  files: readonly PendingFile[];
  uploading: boolean;
  /** The file picker's `accept`. */
  accept: string;
  /** Why some attached files cannot go to the chosen profile (it was switched), or null. */
  note: string | null;
  onAddFiles: (files: File[]) => void;
  onRemoveFile: (key: string) => void;
}

/**
 * The message box: Enter sends, Shift+Enter starts a new line, Esc stops the answer. The text lives in the DOM
 * (not in React state) so typing and large pastes stay fast; drafts are kept per thread in IndexedDB. Files come
 * from "Attach files", from a paste of images, or are dropped on the conversation (ChatView); each is a chip.
 */
export const Composer = forwardRef<ComposerHandle, ComposerProps>(function Composer(props, ref) {
  const area = useRef<HTMLTextAreaElement>(null);
  const picker = useRef<HTMLInputElement>(null);
  const keysHint = useId();
  const [empty, setEmpty] = useState(true);
  const [rows, setRows] = useState(1);
  const [pasted, setPasted] = useState<string[]>([]);
  const pastedRef = useRef(pasted);
  pastedRef.current = pasted;
  // The element itself is captured, not the ref: a save still pending when the composer unmounts (the session
  // ended, the page changed) must read the text typed, not an empty ref.
  const persist = () => {
    const el = area.current;
    saveDraft(props.draftKey, () => ({ text: el?.value ?? "", pasted: pastedRef.current }));
  };

  useEffect(() => {
    let live = true;
    const el = area.current;
    if (!el) return;
    el.value = "";
    setEmpty(true);
    setPasted([]);
    void loadDraft(props.draftKey).then((draft) => {
      if (!live || !area.current || area.current.value) return;
      area.current.value = draft.text;
      setPasted(draft.pasted);
      setEmpty(isBlank(area.current));
      setRows(rowsFor(area.current));
    });
    const key = props.draftKey;
    return () => {
      live = false;
      flushDraft(key);
    };
  }, [props.draftKey]);

  useImperativeHandle(ref, () => ({
    clear() {
      if (area.current) area.current.value = "";
      setEmpty(true);
      setRows(1);
      setPasted([]);
    },
    focus() {
      area.current?.focus();
    },
    restore(text: string) {
      const el = area.current;
      if (!el) return;
      el.value = text;
      setPasted([]);
      setEmpty(isBlank(el));
      setRows(rowsFor(el));
      persist();
    },
    suggest(text: string) {
      const el = area.current;
      if (!el) return;
      el.value = isBlank(el) ? text : `${el.value.trimEnd()}\n\n${text}`;
      setEmpty(isBlank(el));
      setRows(rowsFor(el));
      persist();
      el.focus();
      el.setSelectionRange(el.value.length, el.value.length);
    },
  }));

  const send = () => {
    const text = [area.current?.value ?? "", ...pasted].filter((t) => t.trim()).join("\n\n");
    if ((!text.trim() && props.files.length === 0) || props.generating || props.disabled || props.uploading) return;
    props.onSend(text);
  };

  return (
    <form
      className={styles.composer}
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      {pasted.length ? (
        <ul className={styles.pastedList}>
          {pasted.map((chunk, i) => (
            <li key={i} className={styles.pasted}>
              <span>{t.pastedText(sizeOf(chunk))}</span>
              <span className={styles.pastedPreview}>{chunk.slice(0, 80)}</span>
              <button
                type="button"
                aria-label={t.removePasted}
                onClick={() => {
                  setPasted((list) => list.filter((_, k) => k !== i));
                  persist();
                }}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      {props.files.length ? (
        <ul className={attachmentStyles.chips} aria-label={t.attachedFiles}>
          {props.files.map((f) => (
            <FileChip
              key={f.key}
              name={f.name}
              size={f.size}
              format={f.format}
              thumbnail={f.preview}
              progress={f.info ? null : f.progress}
              notice={f.info?.notice ?? null}
              onRemove={() => props.onRemoveFile(f.key)}
            />
          ))}
        </ul>
      ) : null}
      {props.note ? (
        <p role="status" className={styles.composerNote}>
          {props.note}
        </p>
      ) : null}
      <div className={styles.composerRow}>
        <button type="button" className={styles.attach} aria-label={t.attachFiles} title={t.attachFiles} disabled={props.disabled} onClick={() => picker.current?.click()}>
          <PaperclipIcon />
        </button>
        <input
          ref={picker}
          type="file"
          multiple
          hidden
          accept={props.accept}
          onChange={(e) => {
            const chosen = [...(e.currentTarget.files ?? [])];
            // The same file can be chosen again after it was removed.
            e.currentTarget.value = "";
            props.onAddFiles(chosen);
            area.current?.focus();
          }}
        />
        <textarea
          ref={area}
          aria-label={t.message}
          aria-describedby={keysHint}
          placeholder={t.messagePlaceholder}
          rows={rows}
          onInput={(e) => {
            const el = e.currentTarget;
            const blank = isBlank(el);
            if (blank !== empty) setEmpty(blank);
            const nextRows = rowsFor(el);
            if (nextRows !== rows) setRows(nextRows);
            persist();
          }}
          onPaste={(e) => {
            const text = e.clipboardData.getData("text/plain");
            // Copied images (a screenshot, "Copy image") come as files without text; a copy from an office
            // document brings text and a picture of it, and is pasted as text.
            const files = [...e.clipboardData.files];
            if (files.length && !text) {
              e.preventDefault();
              const now = new Date();
              props.onAddFiles(files.map((f) => (pastedName(f, now) === f.name ? f : new File([f], pastedName(f, now), { type: f.type, lastModified: f.lastModified }))));
              return;
            }
            if (text.length < LARGE_PASTE) return;
            e.preventDefault();
            setPasted((list) => [...list, text]);
            pastedRef.current = [...pastedRef.current, text];
            persist();
          }}
          onKeyDown={(e) => {
            if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
              e.preventDefault();
              send();
            } else if (e.key === "Escape" && props.generating) {
              e.preventDefault();
              props.onStop();
            }
          }}
        />
        <span id={keysHint} className="visually-hidden">
          {t.messageKeys}
        </span>
        {props.generating ? (
          <button type="button" className={styles.stop} onClick={props.onStop}>
            {t.stop}
          </button>
        ) : (
          <button
            type="submit"
            className={styles.send}
            disabled={(empty && pasted.length === 0 && props.files.length === 0) || props.disabled || props.uploading}
            {...(props.uploading ? { title: t.waitingForUploads } : {})}
          >
            {t.send}
          </button>
        )}
      </div>
    </form>
  );
});
