import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { api, ApiError } from "../../api/client.js";
import type { AttachmentInfo, AttachmentRules, Message, Preferences, PreferencesPatch, Profile, StarterPrompt, ToolDecision } from "../../api/types.js";
import { pathTo } from "../../../../src/shared/thread-tree.js";
import { t } from "../../i18n/index.js";
import { SettingsDialog } from "../settings/settings-dialog.js";
import { formatCost } from "../settings/format.js";
import { lastUsed, merge, remember, type FullSettings } from "../settings/settings.js";
import { acceptAttribute, refusedByProfile, switchNote, type FileKind } from "./attachment-checks.js";
import { AttachmentsContext, DropZone } from "./attachments.js";
import styles from "./chat.module.css";
import { Composer, type ComposerHandle } from "./composer.js";
import { clearDraft, NEW_THREAD_DRAFT } from "./drafts.js";
import { ProfilePicker } from "./profile-picker.js";
import { providerLabel } from "./profile-search.js";
import { Transcript } from "./transcript.js";
import { provisionalTurn, seedStartedThread, startedDetail, useChat } from "./use-chat.js";
import { usePendingFiles } from "./use-pending-files.js";
import { copyText } from "../../components/copy.js";
import { isMac, shortcutOf } from "./shortcuts.js";
import { ShortcutsDialog } from "./shortcuts-dialog.js";
import { textOf } from "./steps.js";
import { emptyLive } from "./live-answer.js";

/** The MCP servers dialog loads when first opened (most sessions never open it). */
const McpDialog = lazy(() => import("../mcp/mcp-dialog.js"));

/** Wide enough for Settings beside the conversation (the thread list, a readable conversation and the panel). */
const SIDE_PANEL_QUERY = "(min-width: 1100px)";

/** Whether a drag carries files (not text or a link dragged from the page). */
const draggingFiles = (data: DataTransfer | null) => Boolean(data && [...data.types].includes("Files"));

export function ChatView(props: {
  threadId: string | null;
  profiles: Profile[];
  defaultProfile: string;
  /** What files can be attached (GET /api/profiles), checked before uploading. */
  attachmentRules: AttachmentRules;
  /** Suggestions on an empty chat (config `starter_prompts`). */
  starterPrompts: readonly StarterPrompt[];
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
  /** Settings open beside the conversation on a wide screen, over it (a dialog) on a narrow one. */
  const [settingsPanel, setSettingsPanel] = useState(false);
  const [mcpOpen, setMcpOpen] = useState(false);
  const mcpButton = useRef<HTMLButtonElement>(null);
  const mcpWasOpen = useRef(false);
  // The dialog unmounts rather than closing itself: once it is gone, focus goes back to the button that opened it.
  useEffect(() => {
    if (!mcpOpen && mcpWasOpen.current) mcpButton.current?.focus();
    mcpWasOpen.current = mcpOpen;
  }, [mcpOpen]);
  /** Why the last send failed; `kept`: add that the message was kept (unless the server's words say so). */
  const [sendError, setSendError] = useState<{ message: string; kept: boolean } | null>(null);
  const failed = (message: string, kept = true) => setSendError({ message, kept });
  const [sending, setSending] = useState(false);
  const [shortcutsOpen, setShortcutsOpen] = useState(false);
  /** A new chat's question and working answer, shown from Send until its thread opens. */
  const [provisional, setProvisional] = useState<ReturnType<typeof provisionalTurn> | null>(null);

  const findProfile = useCallback((name: string | null | undefined) => profiles.find((p) => p.name === name), [profiles]);
  const [profileName, setProfileName] = useState(() => findProfile(props.preferences.lastProfile)?.name ?? props.defaultProfile);
  const profile = findProfile(profileName) ?? findProfile(props.defaultProfile) ?? profiles[0]!;
  const [settings, setSettings] = useState<FullSettings>(() => lastUsed(profile));
  const pending = usePendingFiles({ rules: props.attachmentRules, profile, profiles });
  const accept = useMemo(() => acceptAttribute(props.attachmentRules), [props.attachmentRules]);
  const known = (files: readonly { name: string; kind: FileKind | null }[]) => files.filter((f): f is { name: string; kind: FileKind } => f.kind !== null);
  const note = switchNote(known(pending.files), profile, profiles);
  const threadFiles = useMemo(() => new Map<string, AttachmentInfo>((chat.detail?.attachments ?? []).map((a) => [a.id, a])), [chat.detail?.attachments]);
  const [dragging, setDragging] = useState(false);
  const dragDepth = useRef(0);
  const mainRef = useRef<HTMLElement>(null);
  // A file dropped beside the conversation (on the thread list) is not opened by the browser in place of the app.
  useEffect(() => {
    const guard = (e: DragEvent) => {
      if (!draggingFiles(e.dataTransfer)) return;
      e.preventDefault();
      if (e.type === "dragover" && e.dataTransfer && !mainRef.current?.contains(e.target as Node)) e.dataTransfer.dropEffect = "none";
    };
    addEventListener("dragover", guard);
    addEventListener("drop", guard);
    return () => {
      removeEventListener("dragover", guard);
      removeEventListener("drop", guard);
    };
  }, []);

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
  /**
   * Moves the chat to another profile: its defaults, keeping the system prompt (the same profile keeps its settings).
   * Returns what the next request is sent with; undefined for a name no longer in the config.
   */
  const switchProfile = (name: string): { profile: Profile; settings: FullSettings } | undefined => {
    const next = findProfile(name);
    if (!next) return undefined;
    const nextSettings = next.name === profile.name ? settings : { ...merge(next, undefined), system: settings.system };
    setProfileName(next.name);
    setSettings(nextSettings);
    return { profile: next, settings: nextSettings };
  };
  const changeProfile = (name: string) => {
    const next = switchProfile(name);
    if (next && threadId) void api.updateThread(threadId, { profile: next.profile.name, settings: next.settings }).catch(() => undefined);
  };

  const messages = chat.detail?.messages ?? [];
  const path = useMemo(() => pathTo(messages, chat.detail?.thread.activeLeafId ?? null), [messages, chat.detail?.thread.activeLeafId]);

  // The composer is focused when a chat opens (a new one too), where a keyboard is at hand (not on touch screens,
  // where it would open the on-screen keyboard).
  useEffect(() => {
    if (window.matchMedia("(pointer: fine)").matches) composer.current?.focus();
  }, [threadId]);
  // Keyboard shortcuts (shortcuts.ts); none of them types or deletes text, so they also work in the message box.
  const lastAnswer = [...path].reverse().find((m) => m.role === "assistant");
  const shortcutState = useRef({ lastAnswer, navigate: props.navigate, preferences: props.preferences, onPreferences: props.onPreferences });
  shortcutState.current = { lastAnswer, navigate: props.navigate, preferences: props.preferences, onPreferences: props.onPreferences };
  useEffect(() => {
    const mac = isMac(navigator.platform);
    const onKey = (e: KeyboardEvent) => {
      const action = shortcutOf(e, mac);
      if (!action) return;
      e.preventDefault();
      if (action === "newChat") {
        shortcutState.current.navigate("/");
        composer.current?.focus();
      } else if (action === "focusComposer") composer.current?.focus();
      else if (action === "searchThreads") {
        const search = () => document.querySelector<HTMLInputElement>(`input[aria-label="${t.searchThreads}"]`)?.focus();
        // A collapsed thread list opens first (its search box is not on screen while collapsed).
        if (shortcutState.current.preferences.sidebarCollapsed) {
          shortcutState.current.onPreferences({ sidebarCollapsed: false });
          requestAnimationFrame(() => requestAnimationFrame(search));
        } else search();
      }
      else if (action === "copyLastAnswer") {
        const answer = shortcutState.current.lastAnswer;
        if (answer) void copyText(textOf(answer.parts));
      } else setShortcutsOpen(true);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
  const generating = chat.live !== null || Boolean(chat.detail?.running);
  const busy = generating || sending;

  /**
   * Sends the composer's message with its files, or an edit (`edit`: the message it replaces and the ids of the
   * files it keeps). Files the profile cannot take are refused here, before anything is sent; the text stays.
   */
  const send = async (text: string, edit?: { parentId: string | null; attachments: string[] }): Promise<boolean> => {
    setSendError(null);
    if (!edit && pending.uploading) return false;
    const ids = edit ? edit.attachments : pending.files.flatMap((f) => (f.info ? [f.info.id] : []));
    const files = edit ? edit.attachments.flatMap((id) => threadFiles.get(id) ?? []) : pending.files.flatMap((f) => f.info ?? []);
    const refused = refusedByProfile(
      files.map((f) => ({ name: f.fileName, kind: f.kind })),
      profile,
      profiles,
    );
    if (refused.length) {
      failed(refused.join(" "));
      return false;
    }
    setSending(true);
    // The question shows at once (with a working answer); the box empties now and gets the text back if the send fails.
    if (!edit) composer.current?.clear();
    try {
      if (threadId) {
        await chat.send(threadId, text, { ...(edit ? { parentId: edit.parentId } : {}), profile: profile.name, settings, attachments: ids, files });
        if (!edit) {
          pending.clear();
          clearDraft(threadId);
        }
      } else {
        setProvisional(provisionalTurn("new", null, profile.name, text, files));
        // One request creates the thread and starts its answer.
        const started = await api.startThread({ profile: profile.name, settings, message: { text, ...(ids.length ? { attachments: ids } : {}) } });
        // The next new chat starts with the profile this one was started with.
        if (props.preferences.lastProfile !== profile.name) props.onPreferences({ lastProfile: profile.name });
        // The answer's events are subscribed to first (the thread's page opens a moment later), the list refreshed last.
        seedStartedThread(startedDetail(started, profile.name, files), started.generationId, started.assistantMessageId);
        pending.clear();
        clearDraft(NEW_THREAD_DRAFT);
        props.navigate(`/t/${started.thread.id}`);
        props.onThreadsChanged();
      }
      return true;
    } catch (error) {
      setProvisional(null);
      if (!edit) composer.current?.restore(text);
      // The server's refusal of a file says itself that the message is kept.
      if (error instanceof ApiError) failed(error.message, error.code !== "not_accepted");
      else failed(t.errorGeneric);
      return false;
    } finally {
      setSending(false);
    }
  };

  const actions = useMemo(
    () => ({
      onRegenerate: (m: Message) => void chat.regenerate(m.id, { profile: profile.name, settings }).catch((e: unknown) => failed((e as Error).message)),
      onRetry: (m: Message) => void chat.regenerate(m.id, { profile: profile.name, settings }).catch((e: unknown) => failed((e as Error).message)),
      // Another profile writes a new version; the thread goes on with it (the server records the switch).
      profiles,
      onRegenerateWith: (m: Message, name: string) => {
        const next = switchProfile(name);
        if (next) void chat.regenerate(m.id, { profile: next.profile.name, settings: next.settings }).catch((e: unknown) => failed((e as Error).message));
      },
      onEdit: (m: Message, text: string, attachments: string[]) => send(text, { parentId: m.parentId, attachments }),
      onSelectVersion: (id: string) => void chat.selectVersion(id),
      onToolDecision: (toolUseId: string, decision: ToolDecision) => chat.decideTool(toolUseId, decision).catch((e: unknown) => failed(t.toolDecisionFailed((e as Error).message))),
    }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [chat.regenerate, chat.selectVersion, chat.decideTool, profile.name, profiles, settings, threadId, threadFiles],
  );

  const cost = chat.detail?.cost;
  const { showCost, costPrecision } = props.preferences;
  const notFound = chat.loadError?.status === 404;

  return (
    <main
      ref={mainRef}
      className={styles.main}
      aria-busy={busy}
      data-state={threadId && !chat.detail && !chat.loadError ? "loading" : busy ? "busy" : "idle"}
      data-side-panel={(settingsOpen && settingsPanel) || undefined}
      onDragEnter={(e) => {
        if (!draggingFiles(e.dataTransfer) || notFound) return;
        e.preventDefault();
        dragDepth.current++;
        setDragging(true);
      }}
      onDragOver={(e) => {
        if (!draggingFiles(e.dataTransfer) || notFound) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = "copy";
      }}
      onDragLeave={(e) => {
        if (!draggingFiles(e.dataTransfer)) return;
        dragDepth.current = Math.max(0, dragDepth.current - 1);
        if (dragDepth.current === 0) setDragging(false);
      }}
      onDrop={(e) => {
        dragDepth.current = 0;
        setDragging(false);
        if (!draggingFiles(e.dataTransfer) || notFound) return;
        e.preventDefault();
        pending.add([...e.dataTransfer.files]);
        composer.current?.focus();
      }}
    >
      {dragging ? <DropZone /> : null}
      <header className={styles.header}>
        {props.headerStart}
        <ProfilePicker profiles={profiles} value={profile.name} onChange={changeProfile} disabled={busy} />
        <span className={styles.spacer} />
        {showCost && cost ? <span className={styles.threadCost}>{cost.complete ? t.threadCost(formatCost(cost.total, costPrecision)) : t.threadCostPartial(formatCost(cost.total, costPrecision))}</span> : null}
        {/* On a phone the header is one row: these become icon buttons (same names), and New chat joins them. */}
        <button type="button" className={`${styles.headerButton} ${styles.phoneOnly}`} aria-label={t.newChat} title={t.newChat} onClick={() => props.navigate("/")}>
          <svg aria-hidden="true" width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
            <path d="M12 20h9" />
            <path d="M16.5 3.5a2.1 2.1 0 0 1 3 3L7 19l-4 1 1-4Z" />
          </svg>
        </button>
        <button ref={mcpButton} type="button" className={styles.headerButton} aria-label={t.mcpServers} title={t.mcpServers} aria-haspopup="dialog" onClick={() => setMcpOpen(true)}>
          <svg aria-hidden="true" className={styles.headerIcon} width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
            <path d="M14.7 6.3a1 1 0 0 0 0 1.4l1.6 1.6a1 1 0 0 0 1.4 0l3.77-3.77a6 6 0 0 1-7.94 7.94l-6.91 6.91a2.12 2.12 0 0 1-3-3l6.91-6.91a6 6 0 0 1 7.94-7.94l-3.76 3.76z" />
          </svg>
          <span className={styles.headerLabel}>{t.mcpServers}</span>
        </button>
        <button type="button" className={styles.headerButton} aria-label={t.settings} title={t.settings} onClick={() => {
            if (settingsOpen) return setSettingsOpen(false);
            setSettingsPanel(matchMedia(SIDE_PANEL_QUERY).matches);
            setSettingsOpen(true);
          }} aria-expanded={settingsOpen}>
          <svg aria-hidden="true" className={styles.headerIcon} width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
            <path d="M4 21v-7M4 10V3M12 21v-9M12 8V3M20 21v-5M20 12V3M1 14h6M9 8h6M17 16h6" />
          </svg>
          <span className={styles.headerLabel}>{t.settings}</span>
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
      ) : provisional && !threadId ? (
        <AttachmentsContext.Provider value={threadFiles}>
          <Transcript path={[provisional.question, provisional.answer]} all={[provisional.question, provisional.answer]} live={emptyLive("pending", provisional.answer.id)} busy showCost={false} costPrecision={costPrecision} actions={actions} />
        </AttachmentsContext.Provider>
      ) : path.length === 0 && !threadId ? (
        <div className={styles.empty}>
          <p className={styles.emptyApp}>{t.appName}</p>
          <h1>{t.emptyTitle}</h1>
          <p>{t.emptyProfile(profile.name, providerLabel(profile.provider))}</p>
          {props.starterPrompts.length ? (
            <ul className={styles.starters} aria-label={t.starterPrompts}>
              {props.starterPrompts.map((s) => (
                <li key={s.title}>
                  <button type="button" className={styles.starter} title={s.prompt} onClick={() => composer.current?.suggest(s.prompt)}>
                    {s.title}
                  </button>
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : (
        <AttachmentsContext.Provider value={threadFiles}>
          <Transcript path={path} all={messages} live={chat.live} busy={busy} showCost={showCost} costPrecision={costPrecision} actions={actions} />
        </AttachmentsContext.Provider>
      )}
      <div className={styles.bottom}>
        {pending.errors.length ? (
          <div role="alert" className={styles.sendError}>
            <ul className={styles.attachErrors}>
              {pending.errors.map((e, i) => (
                <li key={i}>{e}</li>
              ))}
            </ul>
            <button type="button" className={styles.retry} onClick={pending.dismissErrors}>
              {t.dismiss}
            </button>
          </div>
        ) : null}
        {sendError ? (
          <div role="alert" className={styles.sendError}>
            <span>{sendError.kept ? `${sendError.message} ${t.draftKept}` : sendError.message}</span>
            <button
              type="button"
              className={styles.retry}
              onClick={() => {
                const text = (document.querySelector(`textarea[aria-label="${t.message}"]`) as HTMLTextAreaElement | null)?.value ?? "";
                if (text.trim() || pending.files.length) void send(text);
              }}
            >
              {t.retry}
            </button>
          </div>
        ) : null}
        <Composer
          ref={composer}
          draftKey={threadId ?? NEW_THREAD_DRAFT}
          generating={generating}
          disabled={sending || notFound}
          onSend={(text) => void send(text)}
          onStop={() => void chat.stop()}
          files={pending.files}
          uploading={pending.uploading}
          accept={accept}
          note={note}
          onAddFiles={pending.add}
          onRemoveFile={pending.remove}
        />
      </div>
      <SettingsDialog
        open={settingsOpen}
        panel={settingsPanel}
        profile={profile}
        settings={settings}
        onChange={changeSettings}
        preferences={props.preferences}
        onPreferences={props.onPreferences}
        onClose={() => setSettingsOpen(false)}
      />
      {shortcutsOpen ? <ShortcutsDialog mac={isMac(navigator.platform)} onClose={() => setShortcutsOpen(false)} /> : null}
      {mcpOpen ? (
        <Suspense fallback={null}>
          <McpDialog
            profiles={profiles}
            profile={profile}
            onClose={() => setMcpOpen(false)}
          />
        </Suspense>
      ) : null}
    </main>
  );
}
