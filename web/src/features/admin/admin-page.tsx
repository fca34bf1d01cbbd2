import { useCallback, useEffect, useState } from "react";
import { formatSize } from "../../../../src/shared/sizes.js";
import { api, ApiError } from "../../api/client.js";
import type { Account, AuditEntry, SessionInfo } from "../../api/types.js";
import { MenuButton } from "../../components/menu.js";
import { t } from "../../i18n/index.js";
import { ThemePicker } from "../theme.js";
import { AddUserDialog, LimitsDialog, ResetPasswordDialog } from "./account-dialogs.js";
import { UsageSection } from "./usage-section.js";
import forms from "../../components/forms.module.css";
import { FormError } from "../../components/form-error.js";
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
          {/* System prompts (issue 13) */}
          <a
            href="/admin/prompts"
            onClick={(e) => {
              e.preventDefault();
              props.navigate("/admin/prompts");
            }}
          >
            {t.prompts}
          </a>
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
          {props.session.authMode === "none" ? (
            <p>{t.singleUser}</p>
          ) : (
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
                    <th scope="col">{t.storage}</th>
                    <th scope="col">
                      <span className="visually-hidden">{t.actions}</span>
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
                        <td>{formatSize(u.storageBytes ?? 0)}</td>
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
          )}
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
