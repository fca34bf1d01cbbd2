import { forwardRef, useEffect, useImperativeHandle, useRef, useState } from "react";
import { t } from "../../i18n/index.js";
import styles from "./chat.module.css";
import { loadDraft, saveDraft } from "./drafts.js";

export interface ComposerHandle {
  clear(): void;
  focus(): void;
}

/**
 * The message box: Enter sends, Shift+Enter starts a new line, Esc stops the answer. The text lives in the DOM
 * (not in React state) so typing and large pastes stay fast; drafts are kept per thread in IndexedDB.
 */
export const Composer = forwardRef<ComposerHandle, { draftKey: string; generating: boolean; disabled: boolean; onSend: (text: string) => void; onStop: () => void }>(function Composer(props, ref) {
  const area = useRef<HTMLTextAreaElement>(null);
  const [empty, setEmpty] = useState(true);

  useEffect(() => {
    let live = true;
    const el = area.current;
    if (!el) return;
    el.value = "";
    setEmpty(true);
    void loadDraft(props.draftKey).then((draft) => {
      if (!live || !area.current || area.current.value) return;
      area.current.value = draft;
      setEmpty(draft.trim() === "");
    });
    return () => {
      live = false;
    };
  }, [props.draftKey]);

  useImperativeHandle(ref, () => ({
    clear() {
      if (area.current) area.current.value = "";
      setEmpty(true);
    },
    focus() {
      area.current?.focus();
    },
  }));

  const send = () => {
    const text = area.current?.value ?? "";
    if (!text.trim() || props.generating || props.disabled) return;
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
      <textarea
        ref={area}
        aria-label={t.message}
        placeholder={t.messagePlaceholder}
        rows={1}
        onInput={(e) => {
          const value = e.currentTarget.value;
          const isEmpty = value.trim() === "";
          if (isEmpty !== empty) setEmpty(isEmpty);
          saveDraft(props.draftKey, value);
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
      {props.generating ? (
        <button type="button" className={styles.stop} onClick={props.onStop}>
          {t.stop}
        </button>
      ) : (
        <button type="submit" className={styles.send} disabled={empty || props.disabled}>
          {t.send}
        </button>
      )}
    </form>
  );
});
