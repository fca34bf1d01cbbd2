import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { api, ApiError } from "../../api/client.js";
import type { Message, Preferences, PreferencesPatch, Profile } from "../../api/types.js";
import { pathTo } from "../../../../src/shared/thread-tree.js";
import { t } from "../../i18n/index.js";
import { SettingsDialog } from "../settings/settings-dialog.js";
import { formatCost } from "../settings/format.js";
import { lastUsed, merge, remember, type FullSettings } from "../settings/settings.js";
import styles from "./chat.module.css";
import { Composer, type ComposerHandle } from "./composer.js";
import { clearDraft, NEW_THREAD_DRAFT } from "./drafts.js";
import { ProfilePicker } from "./profile-picker.js";
import { Transcript } from "./transcript.js";
import { useChat } from "./use-chat.js";

export function ChatView(props: {
  threadId: string | null;
  profiles: Profile[];
  defaultProfile: string;
  /** The user's display preferences and the last profile a chat was started with (App loads them once). */
  preferences: Preferences;
  onPreferences: (patch: PreferencesPatch) => void;
  navigate: (path: string) => void;
  onThreadsChanged: () => void;
  headerStart?: React.ReactNode;
  headerEnd?: React.ReactNode;
}) {
  const { threadId, profiles } = props;
  const chat = useChat(threadId, props.onThreadsChanged);
  const composer = useRef<ComposerHandle>(null);
  const [settingsOpen, setSettingsOpen] = useState(false);
  const [sendError, setSendError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);

  const findProfile = useCallback((name: string | null | undefined) => profiles.find((p) => p.name === name), [profiles]);
  const [profileName, setProfileName] = useState(() => findProfile(props.preferences.lastProfile)?.name ?? props.defaultProfile);
  const profile = findProfile(profileName) ?? findProfile(props.defaultProfile) ?? profiles[0]!;
  const [settings, setSettings] = useState<FullSettings>(() => lastUsed(profile));

  // A thread brings its own profile and settings.
  const loadedThread = chat.detail?.thread;
  useEffect(() => {
    if (!loadedThread) return;
    const p = findProfile(loadedThread.profile) ?? profile;
    setProfileName(p.name);
    setSettings(merge(p, loadedThread.settings));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [loadedThread?.id]);
  useEffect(() => {
    if (threadId === null) {
      setSettings(lastUsed(profile));
      setSendError(null);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [threadId]);

  const saveTimer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const changeSettings = (next: FullSettings) => {
    setSettings(next);
    remember(profile, next);
    if (threadId) {
      clearTimeout(saveTimer.current);
      saveTimer.current = setTimeout(() => void api.updateThread(threadId, { settings: next }).catch(() => undefined), 300);
    }
  };
  const changeProfile = (name: string) => {
    const next = findProfile(name);
    if (!next) return;
    const nextSettings = { ...merge(next, undefined), system: settings.system };
    setProfileName(name);
    setSettings(nextSettings);
    if (threadId) void api.updateThread(threadId, { profile: name, settings: nextSettings }).catch(() => undefined);
  };

  const messages = chat.detail?.messages ?? [];
  const path = useMemo(() => pathTo(messages, chat.detail?.thread.activeLeafId ?? null), [messages, chat.detail?.thread.activeLeafId]);
  const generating = chat.live !== null || Boolean(chat.detail?.running);
  const busy = generating || sending;

  const send = async (text: string, parentId?: string | null) => {
    setSendError(null);
    setSending(true);
    try {
      if (threadId) {
        await chat.send(threadId, text, { ...(parentId !== undefined ? { parentId } : {}), profile: profile.name, settings });
        if (parentId === undefined) {
          composer.current?.clear();
          clearDraft(threadId);
        }
      } else {
        const { thread } = await api.createThread(profile.name, settings);
        // The next new chat starts with the profile this one was started with.
        if (props.preferences.lastProfile !== profile.name) props.onPreferences({ lastProfile: profile.name });
        await api.send(thread.id, { text, profile: profile.name, settings });
        composer.current?.clear();
        clearDraft(NEW_THREAD_DRAFT);
        props.onThreadsChanged();
        props.navigate(`/t/${thread.id}`);
      }
    } catch (error) {
      setSendError(error instanceof ApiError ? error.message : t.errorGeneric);
    } finally {
      setSending(false);
    }
  };

  const actions = useMemo(
    () => ({
      onRegenerate: (m: Message) => void chat.regenerate(m.id, { profile: profile.name, settings }).catch((e: unknown) => setSendError((e as Error).message)),
      onRetry: (m: Message) => void chat.regenerate(m.id, { profile: profile.name, settings }).catch((e: unknown) => setSendError((e as Error).message)),
      onEdit: (m: Message, text: string) => void send(text, m.parentId),
      onSelectVersion: (id: string) => void chat.selectVersion(id),
    }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [chat.regenerate, chat.selectVersion, profile.name, settings, threadId],
  );

  const cost = chat.detail?.cost;
  const { showCost, costPrecision } = props.preferences;
  const notFound = chat.loadError?.status === 404;

  return (
    <main className={styles.main} aria-busy={busy} data-state={threadId && !chat.detail && !chat.loadError ? "loading" : busy ? "busy" : "idle"}>
      <header className={styles.header}>
        {props.headerStart}
        <ProfilePicker profiles={profiles} value={profile.name} onChange={changeProfile} disabled={busy} />
        <span className={styles.spacer} />
        {showCost && cost ? <span className={styles.threadCost}>{cost.complete ? t.threadCost(formatCost(cost.total, costPrecision)) : t.threadCostPartial(formatCost(cost.total, costPrecision))}</span> : null}
        <button type="button" className={styles.headerButton} onClick={() => setSettingsOpen(true)}>
          {t.settings}
        </button>
        {props.headerEnd}
      </header>
      {chat.reconnecting ? (
        <p role="status" className={styles.banner}>
          {t.errorNetwork}
        </p>
      ) : null}
      {notFound ? (
        <div className={styles.empty}>
          <p>{t.notFound}</p>
        </div>
      ) : threadId && !chat.detail && chat.loadError ? (
        <div className={styles.empty} role="alert">
          <p>{t.errorLoad}</p>
          <button type="button" onClick={() => void chat.reload(threadId)}>
            {t.retry}
          </button>
        </div>
      ) : path.length === 0 && !threadId ? (
        <div className={styles.empty}>
          <h1>{t.emptyTitle}</h1>
          <p>{t.emptyHint}</p>
        </div>
      ) : (
        <Transcript path={path} all={messages} live={chat.live} busy={busy} showCost={showCost} costPrecision={costPrecision} actions={actions} />
      )}
      <div className={styles.bottom}>
        {sendError ? (
          <div role="alert" className={styles.sendError}>
            <span>
              {sendError} {t.draftKept}
            </span>
            <button
              type="button"
              className={styles.retry}
              onClick={() => {
                const text = (document.querySelector(`textarea[aria-label="${t.message}"]`) as HTMLTextAreaElement | null)?.value ?? "";
                if (text.trim()) void send(text);
              }}
            >
              {t.retry}
            </button>
          </div>
        ) : null}
        <Composer ref={composer} draftKey={threadId ?? NEW_THREAD_DRAFT} generating={generating} disabled={sending || notFound} onSend={(text) => void send(text)} onStop={() => void chat.stop()} />
      </div>
      <SettingsDialog
        open={settingsOpen}
        profile={profile}
        settings={settings}
        onChange={changeSettings}
        preferences={props.preferences}
        onPreferences={props.onPreferences}
        onClose={() => setSettingsOpen(false)}
      />
    </main>
  );
}
