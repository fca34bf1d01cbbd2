import { useState, type FormEvent } from "react";
import { api, ApiError } from "../../api/client.js";
import type { SessionInfo } from "../../api/types.js";
import { Dialog } from "../../components/dialog.js";
import { MenuButton, type MenuItem } from "../../components/menu.js";
import { t } from "../../i18n/index.js";
import forms from "../../components/forms.module.css";
import { FormError } from "../../components/form-error.js";
import styles from "./auth.module.css";

async function signOut(everywhere: boolean): Promise<void> {
  try {
    const { redirect } = await api.signOut(everywhere);
    // With single sign-on the provider's session ends too: its logout page returns to the app.
    location.assign(redirect);
  } catch {
    location.assign("/");
  }
}

/** The "Account" button: who is signed in, change password (local accounts), sign out, sign out everywhere. */
export function AccountMenu(props: { session: SessionInfo }) {
  const [changing, setChanging] = useState(false);
  const user = props.session.user;
  if (!user || props.session.authMode === "none") return null;
  const items: MenuItem[] = [
    ...(props.session.authMode === "local" ? [{ label: t.changePassword, onSelect: () => setChanging(true) }] : []),
    { label: t.signOut, onSelect: () => void signOut(false) },
    { label: t.signOutEverywhere, onSelect: () => void signOut(true), danger: true },
  ];
  return (
    <>
      <MenuButton label={t.account} icon={(user.name || user.email || "?").slice(0, 1).toUpperCase()} items={items} heading={t.signedInAs(user.email ?? user.name)} up className={styles.avatar} />
      <ChangePasswordDialog open={changing} onClose={() => setChanging(false)} />
    </>
  );
}

function ChangePasswordDialog(props: { open: boolean; onClose: () => void }) {
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const close = () => {
    setError(null);
    setDone(false);
    setCurrent("");
    setNext("");
    props.onClose();
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await api.changePassword(current, next);
      setDone(true);
      setCurrent("");
      setNext("");
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
      setCurrent("");
      setNext("");
    }
  };
  return (
    <Dialog title={t.changePassword} open={props.open} onClose={close}>
      {done ? (
        <>
          <p role="status" className={forms.success}>
            {t.passwordChanged}
          </p>
          <button type="button" className={forms.primary} onClick={close}>
            {t.close}
          </button>
        </>
      ) : (
        <form onSubmit={submit} className={forms.form}>
          <FormError message={error} />
          <label className={forms.field}>
            {t.currentPassword}
            <input type="password" autoComplete="current-password" required value={current} onChange={(e) => setCurrent(e.target.value)} />
          </label>
          <label className={forms.field}>
            {t.newPassword}
            <input type="password" autoComplete="new-password" required minLength={12} value={next} onChange={(e) => setNext(e.target.value)} />
          </label>
          <p className={forms.hint}>{t.passwordHint}</p>
          <button type="submit" className={forms.primary}>
            {t.changePassword}
          </button>
        </form>
      )}
    </Dialog>
  );
}
