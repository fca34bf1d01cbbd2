import { memo, useState } from "react";
import type { DocumentPart, ImagePart, Message, Part, ToolDecision } from "../../api/types.js";
import { copyText } from "../../components/copy.js";
import { t } from "../../i18n/index.js";
import { formatCost } from "../settings/format.js";
import { EditFiles } from "./attachments.js";
import styles from "./chat.module.css";
import type { LiveAnswer } from "./live-answer.js";
import { MessageParts } from "./message-parts.js";
import { textOf } from "./steps.js";

export interface MessageActions {
  onRegenerate(message: Message): void;
  onRetry(message: Message): void;
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
}

/** One message of the conversation: an article named "You" or "Assistant", with its actions and versions. */
export const MessageView = memo(function MessageView({ message, versions, live, busy, showCost, costPrecision, actions }: MessageViewProps) {
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
      {!editing ? (
        <div className={styles.actions}>
          {versions.length > 1 ? (
            <span className={styles.versions}>
              <button type="button" aria-label={t.previousVersion} disabled={index <= 0 || busy} onClick={() => actions.onSelectVersion(versions[index - 1]!.id)}>
                ‹
              </button>
              <span>{t.versionOf(index + 1, versions.length)}</span>
              <button type="button" aria-label={t.nextVersion} disabled={index >= versions.length - 1 || busy} onClick={() => actions.onSelectVersion(versions[index + 1]!.id)}>
                ›
              </button>
            </span>
          ) : null}
          <button type="button" onClick={copy} disabled={!hasText}>
            {copied ? t.copied : t.copy}
          </button>
          {isUser ? (
            <button type="button" disabled={busy} onClick={() => setEditing(true)}>
              {t.edit}
            </button>
          ) : (
            <button type="button" disabled={busy} onClick={() => actions.onRegenerate(message)}>
              {t.regenerate}
            </button>
          )}
          {!isUser && showCost && !streaming && message.status !== "error" ? (
            <span className={styles.cost}>
              {t.tokens(message.usage.inputTokens, message.usage.outputTokens)} · {message.cost !== null ? t.messageCost(formatCost(message.cost, costPrecision)) : t.unknownCost}
            </span>
          ) : null}
        </div>
      ) : null}
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
  return (
    <div className={styles.edit}>
      <EditFiles parts={kept} onRemove={(part) => setKept((list) => list.filter((p) => p !== part))} />
      <textarea
        aria-label={t.editMessage}
        value={value}
        autoFocus
        onChange={(e) => setValue(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Escape") props.onCancel();
        }}
      />
      <div className={styles.editButtons}>
        <button type="button" onClick={props.onCancel}>
          {t.cancel}
        </button>
        <button
          type="button"
          className={styles.primary}
          disabled={(!value.trim() && kept.length === 0) || saving}
          onClick={() => {
            setSaving(true);
            void props.onSave(value, kept.map((p) => p.source.id)).finally(() => setSaving(false));
          }}
        >
          {t.saveAndSend}
        </button>
      </div>
    </div>
  );
}
