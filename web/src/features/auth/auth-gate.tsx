import { lazy, Suspense, useCallback, useEffect, useState } from "react";
import { api } from "../../api/client.js";
import type { SessionInfo } from "../../api/types.js";
import { App } from "../../app.js";
import { t } from "../../i18n/index.js";
import { SignInPage } from "./sign-in.js";

const AdminPage = lazy(() => import("../admin/admin-page.js").then((m) => ({ default: m.AdminPage })));

/**
 * Asks the server who is signed in, then shows the sign-in page or the app. When any request finds the session
 * ended (401), the sign-in page comes back; drafts stay in IndexedDB, so nothing typed is lost.
 */
export function AuthGate() {
  const [session, setSession] = useState<SessionInfo | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [path, setPath] = useState(location.pathname);

  const load = useCallback(() => {
    api.session().then(setSession, (e: unknown) => setFailure((e as Error).message));
  }, []);
  useEffect(load, [load]);
  useEffect(() => {
    const ended = () => {
      setNotice(t.sessionEnded);
      setSession((s) => (s && s.authMode !== "none" ? { ...s, user: null } : s));
    };
    const onPop = () => setPath(location.pathname);
    addEventListener("session-ended", ended);
    addEventListener("popstate", onPop);
    return () => {
      removeEventListener("session-ended", ended);
      removeEventListener("popstate", onPop);
    };
  }, []);

  if (failure) return <p role="alert" style={{ padding: "2rem" }}>{failure}</p>;
  if (!session) return <div aria-busy="true" />;
  if (!session.user) {
    return (
      <SignInPage
        session={session}
        notice={notice}
        onSignedIn={(user) => {
          setNotice(null);
          if (location.pathname === "/setup") history.replaceState(null, "", "/");
          setSession({ ...session, user, setupRequired: false });
        }}
      />
    );
  }
  const go = (to: string) => {
    history.pushState(null, "", to);
    setPath(to);
  };
  if (path === "/admin" && session.user.role === "admin") {
    return (
      <Suspense fallback={<div aria-busy="true" />}>
        <AdminPage session={session} navigate={go} />
      </Suspense>
    );
  }
  return <App session={session} navigate={go} />;
}
