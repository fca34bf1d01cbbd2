import { useState, type FormEvent } from "react";
import { api, ApiError } from "../../api/client.js";
import type { SessionInfo, SessionUser } from "../../api/types.js";
import { FormError } from "../../components/form-error.js";
import forms from "../../components/forms.module.css";
import { t } from "../../i18n/index.js";
import { SIGNIN_ERROR_PARAM, signInErrorMessage } from "../../../../src/shared/signin-errors.js";
import styles from "./auth.module.css";

/**
 * State of an email + password form: the error, busy while submitting, and the password, which is the one thing
 * cleared after a failure (the email and everything else typed stay).
 */
function useCredentialsForm(submit: (email: string, password: string) => Promise<SessionUser>, onSignedIn: (user: SessionUser) => void, initialError: string | null = null) {
  const [error, setError] = useState<string | null>(initialError);
  const [busy, setBusy] = useState(false);
  const [password, setPassword] = useState("");
  const onSubmit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const email = String(new FormData(e.currentTarget).get("email") ?? "");
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await submit(email, password));
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
      setPassword("");
    } finally {
      setBusy(false);
    }
  };
  return { error, busy, password, setPassword, onSubmit };
}

/** The page shown to someone not signed in: a password form (local), the SSO button (oidc), or first-run setup. */
export function SignInPage(props: { session: SessionInfo; notice: string | null; onSignedIn: (user: SessionUser) => void }) {
  const params = new URLSearchParams(location.search);
  const setupToken = params.get("token");
  const setup = props.session.setupRequired && location.pathname === "/setup";
  return (
    <main className={styles.page}>
      <div className={styles.card}>
        <h1 className={styles.appName}>{t.appName}</h1>
        {props.notice ? <p className={styles.notice}>{props.notice}</p> : null}
        {props.session.authMode === "oidc" ? (
          <SsoSignIn error={signInErrorMessage(params.get(SIGNIN_ERROR_PARAM))} />
        ) : setup ? (
          setupToken ? <SetupForm token={setupToken} onSignedIn={props.onSignedIn} /> : <FormError message={t.setupLinkMissing} />
        ) : (
          <PasswordSignIn onSignedIn={props.onSignedIn} setupRequired={props.session.setupRequired} />
        )}
      </div>
    </main>
  );
}

/** `error`: the catalogue's message for the server's code (never the URL's text). */
function SsoSignIn(props: { error: string | null }) {
  return (
    <>
      <h2 className={styles.title}>{t.signInTitle}</h2>
      <FormError message={props.error} />
      <p className={forms.hint}>{t.ssoHint}</p>
      <button type="button" className={`${forms.primary} ${styles.wide}`} onClick={() => location.assign("/auth/login")}>
        {t.signInWithSso}
      </button>
    </>
  );
}

function EmailField() {
  return (
    <label className={forms.field}>
      {t.email}
      <input name="email" type="email" autoComplete="username" required autoFocus />
    </label>
  );
}

function PasswordSignIn(props: { onSignedIn: (user: SessionUser) => void; setupRequired: boolean }) {
  const form = useCredentialsForm(async (email, password) => (await api.signIn(email, password)).user, props.onSignedIn, props.setupRequired ? t.setupLinkMissing : null);
  return (
    <form onSubmit={form.onSubmit} className={forms.form}>
      <h2 className={styles.title}>{t.signInTitle}</h2>
      <FormError message={form.error} />
      <EmailField />
      <label className={forms.field}>
        {t.password}
        <input name="password" type="password" autoComplete="current-password" required value={form.password} onChange={(e) => form.setPassword(e.target.value)} />
      </label>
      <button type="submit" className={`${forms.primary} ${styles.wide}`} disabled={form.busy}>
        {form.busy ? t.signingIn : t.signIn}
      </button>
    </form>
  );
}

function SetupForm(props: { token: string; onSignedIn: (user: SessionUser) => void }) {
  const form = useCredentialsForm(async (email, password) => (await api.setup({ token: props.token, email, password })).user, props.onSignedIn);
  return (
    <form onSubmit={form.onSubmit} className={forms.form}>
      <h2 className={styles.title}>{t.setupTitle}</h2>
      <p className={forms.hint}>{t.setupHint}</p>
      <FormError message={form.error} />
      <EmailField />
      <label className={forms.field}>
        {t.password}
        <input name="password" type="password" autoComplete="new-password" required minLength={12} value={form.password} onChange={(e) => form.setPassword(e.target.value)} aria-describedby="password-hint" />
      </label>
      <p id="password-hint" className={forms.hint}>
        {t.passwordHint}
      </p>
      <button type="submit" className={`${forms.primary} ${styles.wide}`} disabled={form.busy}>
        {t.createAdminAccount}
      </button>
    </form>
  );
}
