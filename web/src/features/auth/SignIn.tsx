import { useState, type FormEvent } from "react";
import { api, ApiError } from "../../api/client.js";
import type { SessionInfo, SessionUser } from "../../api/types.js";
import { t } from "../../i18n/index.js";
import styles from "./auth.module.css";

/** Errors on sign-in forms say what to do; the form keeps what was typed (except the password). */
function FormError(props: { message: string | null }) {
  return props.message ? (
    <p role="alert" className={styles.error}>
      {props.message}
    </p>
  ) : null;
}

/** The page shown to someone not signed in: a password form (local), the SSO button (oidc), or first-run setup. */
export function SignInPage(props: { session: SessionInfo; notice: string | null; onSignedIn: (user: SessionUser) => void }) {
  const params = new URLSearchParams(location.search);
  const setupToken = params.get("token");
  const providerError = params.get("signin_error");
  const setup = props.session.setupRequired && location.pathname === "/setup";
  return (
    <main className={styles.page}>
      <div className={styles.card}>
        <h1 className={styles.appName}>{t.appName}</h1>
        {props.notice ? <p className={styles.notice}>{props.notice}</p> : null}
        {props.session.authMode === "oidc" ? (
          <SsoSignIn error={providerError} />
        ) : setup ? (
          setupToken ? <SetupForm token={setupToken} onSignedIn={props.onSignedIn} /> : <p role="alert" className={styles.error}>{t.setupLinkMissing}</p>
        ) : (
          <PasswordSignIn onSignedIn={props.onSignedIn} setupRequired={props.session.setupRequired} />
        )}
      </div>
    </main>
  );
}

function SsoSignIn(props: { error: string | null }) {
  return (
    <>
      <h2 className={styles.title}>{t.signInTitle}</h2>
      <FormError message={props.error} />
      <p className={styles.hint}>{t.ssoHint}</p>
      <button type="button" className={styles.primary} onClick={() => location.assign("/auth/login")}>
        {t.signInWithSso}
      </button>
    </>
  );
}

function PasswordSignIn(props: { onSignedIn: (user: SessionUser) => void; setupRequired: boolean }) {
  const [error, setError] = useState<string | null>(props.setupRequired ? t.setupLinkMissing : null);
  const [busy, setBusy] = useState(false);
  const [password, setPassword] = useState("");
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const email = String(new FormData(e.currentTarget).get("email") ?? "");
    setBusy(true);
    setError(null);
    try {
      const { user } = await api.signIn(email, password);
      props.onSignedIn(user);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
      setPassword("");
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} className={styles.form}>
      <h2 className={styles.title}>{t.signInTitle}</h2>
      <FormError message={error} />
      <label className={styles.field}>
        {t.email}
        <input name="email" type="email" autoComplete="username" required autoFocus />
      </label>
      <label className={styles.field}>
        {t.password}
        <input name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
      </label>
      <button type="submit" className={styles.primary} disabled={busy}>
        {busy ? t.signingIn : t.signIn}
      </button>
    </form>
  );
}

function SetupForm(props: { token: string; onSignedIn: (user: SessionUser) => void }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [password, setPassword] = useState("");
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const email = String(new FormData(e.currentTarget).get("email") ?? "");
    setBusy(true);
    setError(null);
    try {
      const { user } = await api.setup({ token: props.token, email, password });
      history.replaceState(null, "", "/");
      props.onSignedIn(user);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
      setPassword("");
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} className={styles.form}>
      <h2 className={styles.title}>{t.setupTitle}</h2>
      <p className={styles.hint}>{t.setupHint}</p>
      <FormError message={error} />
      <label className={styles.field}>
        {t.email}
        <input name="email" type="email" autoComplete="username" required autoFocus />
      </label>
      <label className={styles.field}>
        {t.password}
        <input name="password" type="password" autoComplete="new-password" required minLength={12} value={password} onChange={(e) => setPassword(e.target.value)} aria-describedby="password-hint" />
      </label>
      <p id="password-hint" className={styles.hint}>
        {t.passwordHint}
      </p>
      <button type="submit" className={styles.primary} disabled={busy}>
        {t.createAdminAccount}
      </button>
    </form>
  );
}
