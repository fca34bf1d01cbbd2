import { memo, useRef, useState } from "react";
import type { DocumentPart, ImagePart, Message, Part, Profile, ToolDecision } from "../../api/types.js";
import { copyText } from "../../components/copy.js";
import { t } from "../../i18n/index.js";
import { formatCost } from "../settings/format.js";
import { EditFiles } from "./attachments.js";
import styles from "./chat.module.css";
import type { LiveAnswer } from "./live-answer.js";
import { MessageParts } from "./message-parts.js";
import { ProfileChooser } from "./profile-picker.js";
import { MessageDetails } from "../prompts/message-details.js";
import { textOf } from "./steps.js";

export interface MessageActions {
  onRegenerate(message: Message): void;
  onRetry(message: Message): void;
  /** The profiles "Regenerate with…" offers, and a new version of the answer by one of them. */
  profiles: readonly Profile[];
  onRegenerateWith(message: Message, profile: string): void;
  /** Sends the edited text with the files kept (their ids); resolves false when it was refused (the edit stays open). */
  onEdit(message: Message, text: string, attachments: string[]): Promise<boolean>;
  onSelectVersion(messageId: string): void;
  /** Allow, Always allow or Deny a tool call of the answer being generated. */
  onToolDecision(toolUseId: string, decision: ToolDecision): Promise<void>;
}

export interface MessageViewProps {
  message: Message;
  versions: Message[];
  live: LiveAnswer | null;
  busy: boolean;
  showCost: boolean;
  costPrecision: number;
  actions: MessageActions;
  /** The conversation's last message: its actions are always shown. */
  last?: boolean;
}

/** One message of the conversation: an article named "You" or "Assistant", with its actions and versions. */
export const MessageView = memo(function MessageView({ message, versions, live, busy, showCost, costPrecision, actions, last = false }: MessageViewProps) {
  const [editing, setEditing] = useState(false);
  const [copied, setCopied] = useState(false);
  const isUser = message.role === "user";
  const streaming = live !== null && live.messageId === message.id;
  const parts = streaming ? live.parts : message.parts;
  const error = streaming ? live.error : message.error;
  const hasText = parts.some((p) => p.type === "text" && p.text);
  const index = versions.findIndex((v) => v.id === message.id);

  const copy = () =>
    void copyText(textOf(parts)).then(() => {
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    });

  return (
    <article aria-label={isUser ? t.you : t.assistant} className={`${styles.message} ${isUser ? styles.user : styles.assistant}`}>
      <div className={styles.author} aria-hidden="true">
        {isUser ? t.you : t.assistant}
      </div>
      {isUser && editing ? (
        <EditBox
          initial={textOf(parts)}
          files={parts.filter(isStoredFile)}
          onCancel={() => setEditing(false)}
          onSave={async (value, kept) => {
            if (await actions.onEdit(message, value, kept)) setEditing(false);
          }}
        />
      ) : (
        <>
          <MessageParts
            parts={parts}
            role={message.role}
            streaming={streaming}
            failed={Boolean(error)}
            reasoningMs={streaming ? live.reasoningMs : message.meta.reasoningMs}
            reasoningStartedAt={streaming ? live.reasoningStartedAt : undefined}
            {...(streaming ? { approvals: live.approvals, onToolDecision: actions.onToolDecision } : {})}
          />
          {message.status === "stopped" && !streaming ? <p className={styles.status}>{t.stopped}</p> : null}
          {(streaming ? live.notices : (message.meta.notices ?? [])).map((n) => (
            <p key={n} className={styles.notice}>
              {n}
            </p>
          ))}
          {error ? (
            <div role="alert" className={styles.error}>
              <p>{error.message}</p>
              <button type="button" className={styles.retry} disabled={busy && !streaming} onClick={() => actions.onRetry(message)}>
                {t.retry}
              </button>
            </div>
          ) : null}
        </>
      )}
      {!editing && !streaming ? (
        // Icon buttons with their names as tooltips: on desktop shown on hover and focus (always on the last answer),
        // on touch screens always; an answer being written has none (nothing to act on yet).
        <div className={styles.actions} data-last={last || undefined}>
          {versions.length > 1 ? (
            <span className={styles.versions}>
              <button type="button" className={styles.iconButton} aria-label={t.previousVersion} title={t.previousVersion} disabled={index <= 0 || busy} onClick={() => actions.onSelectVersion(versions[index - 1]!.id)}>
                ‹
              </button>
              <span>{t.versionOf(index + 1, versions.length)}</span>
              <button type="button" className={styles.iconButton} aria-label={t.nextVersion} title={t.nextVersion} disabled={index >= versions.length - 1 || busy} onClick={() => actions.onSelectVersion(versions[index + 1]!.id)}>
                ›
              </button>
            </span>
          ) : null}
          {hasText ? (
            <button type="button" className={styles.iconButton} aria-label={copied ? t.copied : t.copy} title={copied ? t.copied : t.copy} onClick={copy}>
              {copied ? <CheckIcon /> : <CopyIcon />}
            </button>
          ) : null}
          {isUser ? (
            <button type="button" className={styles.iconButton} aria-label={t.edit} title={t.edit} disabled={busy} onClick={() => setEditing(true)}>
              <EditIcon />
            </button>
          ) : error ? null : (
            // A failed answer has its one Retry beside the error instead.
            <>
              <button type="button" className={styles.iconButton} aria-label={t.regenerate} title={t.regenerate} disabled={busy} onClick={() => actions.onRegenerate(message)}>
                <RegenerateIcon />
              </button>
              {actions.profiles.length > 1 ? <RegenerateWith message={message} current={message.profile} busy={busy} actions={actions} /> : null}
            </>
          )}
          {!isUser && message.profile ? (
            <span className={styles.model} title={message.modelId ?? undefined}>
              {message.profile}
            </span>
          ) : null}
          {!isUser && showCost && message.status !== "error" ? (
            <span className={styles.cost}>
              {costLine(message, costPrecision)}
            </span>
          ) : null}
        </div>
      ) : null}
      {/* Issue 13: which system prompt the answer used, on demand. */}
      {!isUser && !streaming && !editing ? <MessageDetails systemPrompt={message.meta.systemPrompt} /> : null}
    </article>
  );
});

/** A file of a message the edit can keep: an uploaded attachment. */
function isStoredFile(part: Part): part is (ImagePart | DocumentPart) & { source: { type: "attachment"; id: string } } {
  return (part.type === "image" || part.type === "document") && part.source.type === "attachment";
}

function EditBox(props: { initial: string; files: ((ImagePart | DocumentPart) & { source: { type: "attachment"; id: string } })[]; onSave: (text: string, attachments: string[]) => Promise<void>; onCancel: () => void }) {
  const [value, setValue] = useState(props.initial);
  const [kept, setKept] = useState(props.files);
  const [saving, setSaving] = useState(false);
  const canSave = (value.trim() !== "" || kept.length > 0) && !saving;
  const save = () => {
    if (!canSave) return;
    setSaving(true);
    void props.onSave(value, kept.map((p) => p.source.id)).finally(() => setSaving(false));
  };
  return (
    <div className={styles.edit}>
      <EditFiles parts={kept} onRemove={(part) => setKept((list) => list.filter((p) => p !== part))} />
      <textarea
        aria-label={t.editMessage}
        value={value}
        autoFocus
        onChange={(e) => setValue(e.target.value)}
        onKeyDown={(e) => {
          // As in the message box: Enter saves and sends, Shift+Enter starts a new line (and so does Enter while an
          // input method composes a word); Esc cancels.
          if (e.key === "Escape") props.onCancel();
          else if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
            e.preventDefault();
            save();
          }
        }}
      />
      <div className={styles.editButtons}>
        <button type="button" onClick={props.onCancel}>
          {t.cancel}
        </button>
        <button
          type="button"
          className={styles.primary}
          disabled={!canSave}
          onClick={save}
        >
          {t.saveAndSend}
        </button>
      </div>
    </div>
  );
}

const icon = { width: 16, height: 16, viewBox: "0 0 24 24", fill: "none", stroke: "currentColor", strokeWidth: 2, strokeLinecap: "round", strokeLinejoin: "round", "aria-hidden": true } as const;
const CopyIcon = () => (
  <svg {...icon}>
    <rect x="9" y="9" width="12" height="12" rx="2" />
    <path d="M5 15H4a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2h9a2 2 0 0 1 2 2v1" />
  </svg>
);
const CheckIcon = () => (
  <svg {...icon}>
    <path d="M20 6 9 17l-5-5" />
  </svg>
);
const EditIcon = () => (
  <svg {...icon}>
    <path d="M12 20h9" />
    <path d="M16.5 3.5a2.1 2.1 0 0 1 3 3L7 19l-4 1 1-4Z" />
  </svg>
);
/** "Regenerate with…": the profile list beside the button; picking one writes a new version with it. */
function RegenerateWith(props: { message: Message; current: string | null; busy: boolean; actions: MessageActions }) {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  return (
    <>
      <button ref={button} type="button" className={styles.iconButton} aria-label={t.regenerateWith} title={t.regenerateWith} aria-haspopup="listbox" aria-expanded={open} disabled={props.busy} onClick={() => setOpen(!open)}>
        <SwitchModelIcon />
      </button>
      {open ? (
        <ProfileChooser
          anchor={button}
          profiles={props.actions.profiles}
          value={props.current ?? ""}
          label={t.regenerateWith}
          onPick={(name) => {
            setOpen(false);
            props.actions.onRegenerateWith(props.message, name);
          }}
          onClose={(refocus) => {
            setOpen(false);
            if (refocus) button.current?.focus();
          }}
        />
      ) : null}
    </>
  );
}

const SwitchModelIcon = () => (
  <svg aria-hidden="true" width="16" height="16" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
    <path d="M3 7h13l-3-3M21 17H8l3 3" />
  </svg>
);

const RegenerateIcon = () => (
  <svg {...icon}>
    <path d="M21 12a9 9 0 1 1-3-6.7L21 8" />
    <path d="M21 3v5h-5" />
  </svg>
);

/** "1,200 in / 300 out tokens · 9,000 tokens read from cache, 250 written · $0.0123" (the cache part only when there is one). */
function costLine(message: Message, precision: number): string {
  const { usage } = message;
  const cache = usage.cacheReadInputTokens || usage.cacheWriteInputTokens ? [t.cacheTokens(usage.cacheReadInputTokens, usage.cacheWriteInputTokens)] : [];
  return [t.tokens(usage.inputTokens, usage.outputTokens), ...cache, message.cost !== null ? t.messageCost(formatCost(message.cost, precision)) : t.unknownCost].join(" · ");
}
