import { lazy, Suspense, useCallback, useEffect, useRef, useState } from "react";
import { api } from "./api/client.js";
import type { AttachmentRules, Preferences, PreferencesPatch, Profile, SessionInfo, StarterPrompt } from "./api/types.js";
import { DEFAULT_PREFERENCES } from "../../src/shared/preferences.js";
import { AccountMenu } from "./features/auth/account-menu.js";
import { ChatView } from "./features/chat/chat-view.js";
import { Sidebar } from "./features/threads/sidebar.js";
import { useThreadList } from "./features/threads/use-thread-list.js"; // threads (issue 12)
import { ThemePicker } from "./features/theme.js";
import { t } from "./i18n/index.js";
import styles from "./app.module.css";

// System prompts (issue 13): loaded only when an admin opens it.
const PromptsPage = lazy(() => import("./features/prompts/prompts-page.js").then((m) => ({ default: m.PromptsPage })));

function threadIdFrom(path: string): string | null {
  return /^\/t\/([\w-]+)$/.exec(path)?.[1] ?? null;
}

/** The chat: threads in the sidebar, the conversation beside them. `openPage` leaves for other pages (Admin). */
export function App(props: { session: SessionInfo; navigate: (to: string) => void }) {
  const [path, setPath] = useState(location.pathname);
  const [profiles, setProfiles] = useState<{ profiles: Profile[]; defaultProfile: string; attachments: AttachmentRules; starterPrompts: StarterPrompt[] } | null>(null);
  const [preferences, setPreferences] = useState<Preferences | null>(null);
  const [query, setQuery] = useState("");
  const [drawer, setDrawer] = useState(false);
  const [fatal, setFatal] = useState<string | null>(null);
  const drawerButton = useRef<HTMLButtonElement>(null); // threads (issue 12)

  const navigate = useCallback((to: string) => {
    if (to !== location.pathname) history.pushState(null, "", to);
    setPath(to);
    setDrawer(false);
  }, []);
  useEffect(() => {
    const onPop = () => setPath(location.pathname);
    addEventListener("popstate", onPop);
    return () => removeEventListener("popstate", onPop);
  }, []);

  // threads (issue 12): the list (or a search) a page at a time; a refresh reloads the first page, keeping the rest.
  const threadList = useThreadList(query);
  const { threads, refresh: refreshThreads } = threadList;
  useEffect(() => {
    void api.profiles().then(setProfiles, (e: unknown) => setFatal((e as Error).message));
    // Without its preferences the app still works, with the defaults.
    void api.preferences().then(
      (r) => setPreferences(r.preferences),
      () => setPreferences(DEFAULT_PREFERENCES),
    );
  }, []);

  // A change shows at once; the server's answer to the newest change is the truth (a failure brings it back).
  const preferencesSeq = useRef(0);
  const updatePreferences = useCallback((patch: PreferencesPatch) => {
    setPreferences((p) => (p ? Object.assign({}, p, patch) : p));
    const seq = ++preferencesSeq.current;
    const settle = (r: { preferences: Preferences }) => {
      if (seq === preferencesSeq.current) setPreferences(r.preferences);
    };
    api.updatePreferences(patch).then(settle, () => api.preferences().then(settle, () => undefined));
  }, []);

  // A new thread gets its title just after its first answer: while a recent one still has the placeholder,
  // refresh the list each second (whichever view started it, and whenever the title lands).
  useEffect(() => {
    const waiting = threads.some((th) => th.title === "New chat" && Date.now() - Date.parse(th.updatedAt) < 60_000);
    if (!waiting) return;
    const timer = setTimeout(refreshThreads, 1000);
    return () => clearTimeout(timer);
  }, [threads, refreshThreads]);

  const threadId = threadIdFrom(path);
  useEffect(() => {
    const title = threads.find((th) => th.id === threadId)?.title;
    document.title = title ? `${title} · ${t.appName}` : t.appName;
  }, [threads, threadId]);

  // System prompts (issue 13): the admin Prompts page (Admin > Prompts), after every hook of this component.
  if (path === "/admin/prompts" && props.session.user?.role === "admin") {
    return (
      <Suspense fallback={<div aria-busy="true" />}>
        <PromptsPage onAdmin={() => props.navigate("/admin")} onChat={() => navigate("/")} />
      </Suspense>
    );
  }

  if (fatal) {
    return (
      <div className={styles.fatal} role="alert">
        <p>{fatal}</p>
        <button type="button" onClick={() => location.reload()}>
          {t.retry}
        </button>
      </div>
    );
  }
  if (!profiles || !preferences) return <div className={styles.loading} aria-busy="true" />;

  return (
    <div className={`${styles.layout} ${drawer ? styles.drawerOpen : ""} ${preferences.sidebarCollapsed ? styles.collapsed : ""}`}>
      {/* The first Tab stop (issue 12): straight to the conversation, past the thread list. */}
      <a href="#conversation" className={styles.skipLink}>
        {t.skipToConversation}
      </a>
      <aside className={styles.sidebar} aria-hidden={undefined}>
        <Sidebar
          list={threadList}
          // threads (issue 12): on a wide screen the list can be hidden, and stays hidden (a display preference).
          onCollapse={() => {
            updatePreferences({ sidebarCollapsed: true });
            requestAnimationFrame(() => drawerButton.current?.focus());
          }}
          activeId={threadId}
          query={query}
          onQuery={setQuery}
          onNew={() => navigate("/")}
          navigate={navigate}
          onRename={async (id, title) => {
            await api.updateThread(id, { title });
            refreshThreads();
          }}
          onDelete={async (id) => {
            await api.deleteThread(id);
            if (id === threadId) navigate("/");
            refreshThreads();
          }}
          footer={
            <div className={styles.sidebarFooter}>
              <ThemePicker />
              {props.session.user?.role === "admin" ? (
                <a
                  href="/admin"
                  className={styles.footerLink}
                  onClick={(e) => {
                    e.preventDefault();
                    props.navigate("/admin");
                  }}
                >
                  {t.admin}
                </a>
              ) : null}
              <span className={styles.footerEnd}>
                <AccountMenu session={props.session} />
              </span>
            </div>
          }
        />
      </aside>
      {drawer ? <div className={styles.scrim} onClick={() => setDrawer(false)} /> : null}
      <ChatView
        key={threadId ?? "new"}
        threadId={threadId}
        profiles={profiles.profiles}
        defaultProfile={profiles.defaultProfile}
        attachmentRules={profiles.attachments}
        starterPrompts={profiles.starterPrompts}
        preferences={preferences}
        onPreferences={updatePreferences}
        navigate={navigate}
        onThreadsChanged={refreshThreads}
        headerStart={
          <button
            ref={drawerButton}
            type="button"
            className={styles.drawerButton}
            aria-label={t.showThreads}
            title={t.showThreads}
            aria-expanded={drawer}
            onClick={() => {
              // threads (issue 12): on a wide screen this button shows the collapsed list again.
              if (preferences.sidebarCollapsed && matchMedia("(min-width: 769px)").matches) updatePreferences({ sidebarCollapsed: false });
              else setDrawer(!drawer);
            }}
          >
            {/* A menu icon on phones (one header row), the words on a wide screen with the list collapsed. */}
            <svg aria-hidden="true" className={styles.drawerIcon} width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round">
              <path d="M4 6h16M4 12h16M4 18h16" />
            </svg>
            <span className={styles.drawerLabel}>{t.showThreads}</span>
          </button>
        }
      />
    </div>
  );
}
