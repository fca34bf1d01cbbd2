import { useCallback, useEffect, useState, type FormEvent } from "react";
import { api, ApiError } from "../../api/client.js";
import type { Account, AuditEntry, SessionInfo } from "../../api/types.js";
import { Dialog } from "../../components/Dialog.js";
import { MenuButton } from "../../components/Menu.js";
import { t } from "../../i18n/index.js";
import { ThemePicker } from "../theme.js";
import { UsageSection } from "./UsageSection.js";
import forms from "../../components/forms.module.css";
import { FormError } from "../auth/SignIn.js";
import styles from "./admin.module.css";

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : t.never);

/** Admin pages: users (add, disable, role, limits, revoke sessions, reset password), usage and cost, audit log. */
export function AdminPage(props: { session: SessionInfo; navigate: (to: string) => void }) {
  const [users, setUsers] = useState<Account[]>([]);
  const [audit, setAudit] = useState<AuditEntry[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const [limitsOf, setLimitsOf] = useState<Account | null>(null);
  const [passwordOf, setPasswordOf] = useState<Account | null>(null);

  const refresh = useCallback(() => {
    api.admin.users().then((r) => setUsers(r.users), (e: unknown) => setError((e as Error).message));
    api.admin.audit().then((r) => setAudit(r.entries), () => undefined);
  }, []);
  useEffect(refresh, [refresh]);
  useEffect(() => {
    document.title = `${t.admin} · ${t.appName}`;
  }, []);

  const act = async (work: () => Promise<string | void>) => {
    setError(null);
    setStatus(null);
    try {
      const message = await work();
      if (message) setStatus(message);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    }
    refresh();
  };
  const local = props.session.authMode === "local";

  return (
    <div className={styles.page}>
      <header className={styles.header}>
        <h1 className={styles.title}>{t.admin}</h1>
        <nav aria-label={t.admin} className={styles.nav}>
          <a href="#users">{t.users}</a>
          <a href="#usage">{t.usage}</a>
          <a href="#audit">{t.auditLog}</a>
          <a
            href="/"
            onClick={(e) => {
              e.preventDefault();
              props.navigate("/");
            }}
          >
            {t.backToChat}
          </a>
        </nav>
        <ThemePicker className={styles.theme} />
      </header>
      <main className={styles.main}>
        <div aria-live="polite">
          <FormError message={error} />
          {status ? <p className={forms.success}>{status}</p> : null}
        </div>

        <section id="users" aria-labelledby="users-title" className={styles.section}>
          <div className={styles.sectionHead}>
            <h2 id="users-title">{t.users}</h2>
            {local ? (
              <button type="button" className={forms.primary} onClick={() => setAdding(true)}>
                {t.addUser}
              </button>
            ) : null}
          </div>
          <div className={styles.tableWrap}>
            <table aria-label={t.users} className={styles.table}>
              <thead>
                <tr>
                  <th scope="col">{t.email}</th>
                  <th scope="col">{t.name}</th>
                  <th scope="col">{t.role}</th>
                  <th scope="col">{t.status}</th>
                  <th scope="col">{t.signInMethod}</th>
                  <th scope="col">{t.lastSignIn}</th>
                  <th scope="col">{t.limits}</th>
                  <th scope="col">
                    <span className={styles.visuallyHidden}>{t.actions}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {users.map((u) => {
                  const me = u.id === props.session.user?.id;
                  const locked = u.lockedUntil && Date.parse(u.lockedUntil) > Date.now();
                  return (
                    <tr key={u.id}>
                      <td>{u.email ?? "-"}</td>
                      <td>{u.name}</td>
                      <td>{u.role === "admin" ? t.roleAdmin : t.roleUser}</td>
                      <td>{u.disabled ? t.disabled : locked ? t.lockedUntil(new Date(u.lockedUntil!).toLocaleTimeString()) : t.enabled}</td>
                      <td>{u.signIn}</td>
                      <td>{when(u.lastLoginAt)}</td>
                      <td>
                        {t.limitsSummary(u.monthlyCap, u.ratePerMinute)}
                      </td>
                      <td>
                        <MenuButton
                          label={t.userActions(u.email ?? u.name)}
                          icon="⋯"
                          items={[
                            ...(me
                              ? []
                              : [
                                  { label: u.disabled ? t.enable : t.disable, onSelect: () => void act(async () => void (await api.admin.updateUser(u.id, { disabled: !u.disabled }))), danger: !u.disabled },
                                  { label: u.role === "admin" ? t.makeUser : t.makeAdmin, onSelect: () => void act(async () => void (await api.admin.updateUser(u.id, { role: u.role === "admin" ? "user" : "admin" }))) },
                                ]),
                            { label: t.editLimits, onSelect: () => setLimitsOf(u) },
                            { label: t.revokeSessions, onSelect: () => void act(async () => t.sessionsRevoked((await api.admin.revokeSessions(u.id)).revoked)) },
                            ...(u.signIn === "password" ? [{ label: t.resetPassword, onSelect: () => setPasswordOf(u) }] : []),
                          ]}
                        />
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </section>

        <UsageSection />

        <section id="audit" aria-labelledby="audit-title" className={styles.section}>
          <h2 id="audit-title">{t.auditLog}</h2>
          {audit.length === 0 ? (
            <p>{t.noAudit}</p>
          ) : (
            <div className={styles.tableWrap}>
              <table aria-label={t.auditLog} className={styles.table}>
                <thead>
                  <tr>
                    <th scope="col">{t.when}</th>
                    <th scope="col">{t.who}</th>
                    <th scope="col">{t.action}</th>
                    <th scope="col">{t.target}</th>
                    <th scope="col">{t.details}</th>
                  </tr>
                </thead>
                <tbody>
                  {audit.map((e) => (
                    <tr key={e.id}>
                      <td>{when(e.createdAt)}</td>
                      <td>{e.actorEmail ?? t.serverCli}</td>
                      <td>{e.action}</td>
                      <td>{e.targetEmail ?? "-"}</td>
                      <td className={styles.detail}>{e.detail ? JSON.stringify(e.detail) : ""}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      </main>

      <AddUserDialog open={adding} onClose={() => setAdding(false)} onAdded={(email) => void act(async () => `${email} added.`)} />
      {limitsOf ? <LimitsDialog account={limitsOf} onClose={() => setLimitsOf(null)} onSaved={() => refresh()} /> : null}
      {passwordOf ? <ResetPasswordDialog account={passwordOf} onClose={() => setPasswordOf(null)} /> : null}
    </div>
  );
}

/** A dialog form whose errors say what to do and keep what was typed (except passwords). */
function useFormError() {
  const [error, setError] = useState<string | null>(null);
  const view = <FormError message={error} />;
  return { view, set: setError, fail: (e: unknown) => setError(e instanceof ApiError ? e.message : String(e)) };
}

function AddUserDialog(props: { open: boolean; onClose: () => void; onAdded: (email: string) => void }) {
  const form = useFormError();
  const [password, setPassword] = useState("");
  const close = () => {
    form.set(null);
    setPassword("");
    props.onClose();
  };
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    const email = String(data.get("email"));
    const name = String(data.get("name") ?? "").trim();
    try {
      await api.admin.addUser({ email, password, role: data.get("role") === "admin" ? "admin" : "user", ...(name ? { name } : {}) });
      close();
      props.onAdded(email);
    } catch (err) {
      form.fail(err);
      setPassword("");
    }
  };
  return (
    <Dialog title={t.addUser} open={props.open} onClose={close}>
      <form onSubmit={submit} className={forms.form}>
        {form.view}
        <label className={forms.field}>
          {t.email}
          <input name="email" type="email" required autoFocus />
        </label>
        <label className={forms.field}>
          {t.name}
          <input name="name" type="text" />
        </label>
        <label className={forms.field}>
          {t.password}
          <input name="password" type="password" autoComplete="new-password" required minLength={12} value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        <p className={forms.hint}>{t.passwordHint}</p>
        <label className={forms.field}>
          {t.role}
          <select name="role" defaultValue="user">
            <option value="user">{t.roleUser}</option>
            <option value="admin">{t.roleAdmin}</option>
          </select>
        </label>
        <div className={styles.dialogActions}>
          <button type="button" onClick={close}>
            {t.cancel}
          </button>
          <button type="submit" className={forms.primary}>
            {t.addUser}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function LimitsDialog(props: { account: Account; onClose: () => void; onSaved: () => void }) {
  const form = useFormError();
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    const cap = String(data.get("cap") ?? "").trim().replace(/^\$/, "");
    const rate = String(data.get("rate") ?? "").trim();
    try {
      await api.admin.updateUser(props.account.id, { monthlyCap: cap === "" ? null : cap, ratePerMinute: rate === "" ? null : Number(rate) });
      props.onSaved();
      props.onClose();
    } catch (err) {
      form.fail(err);
    }
  };
  return (
    <Dialog title={`${t.editLimits}: ${props.account.email ?? props.account.name}`} open onClose={props.onClose}>
      <form onSubmit={submit} className={forms.form}>
        {form.view}
        <label className={forms.field}>
          {t.monthlyCap}
          <input name="cap" inputMode="decimal" defaultValue={props.account.monthlyCap ?? ""} placeholder={t.defaultLimit} />
        </label>
        <p className={forms.hint}>{t.monthlyCapHint}</p>
        <label className={forms.field}>
          {t.ratePerMinute}
          <input name="rate" type="number" min={1} max={10000} defaultValue={props.account.ratePerMinute ?? ""} placeholder={t.defaultLimit} />
        </label>
        <p className={forms.hint}>{t.ratePerMinuteHint}</p>
        <div className={styles.dialogActions}>
          <button type="button" onClick={props.onClose}>
            {t.cancel}
          </button>
          <button type="submit" className={forms.primary}>
            {t.save}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function ResetPasswordDialog(props: { account: Account; onClose: () => void }) {
  const form = useFormError();
  const [password, setPassword] = useState("");
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      await api.admin.resetPassword(props.account.id, password);
      props.onClose();
    } catch (err) {
      form.fail(err);
      setPassword("");
    }
  };
  return (
    <Dialog title={`${t.resetPassword}: ${props.account.email ?? props.account.name}`} open onClose={props.onClose}>
      <form onSubmit={submit} className={forms.form}>
        {form.view}
        <label className={forms.field}>
          {t.newPassword}
          <input type="password" autoComplete="new-password" required minLength={12} value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        <p className={forms.hint}>{t.passwordHint}</p>
        <div className={styles.dialogActions}>
          <button type="button" onClick={props.onClose}>
            {t.cancel}
          </button>
          <button type="submit" className={forms.primary}>
            {t.resetPassword}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
