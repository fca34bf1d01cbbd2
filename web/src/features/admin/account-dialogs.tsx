import { useState, type FormEvent } from "react";
import { api, ApiError } from "../../api/client.js";
import type { Account } from "../../api/types.js";
import { Dialog } from "../../components/dialog.js";
import forms from "../../components/forms.module.css";
import { t } from "../../i18n/index.js";
import { FormError } from "../../components/form-error.js";
import styles from "./admin.module.css";

/** Cancel and the form's submit button, at the end of a dialog form. */
function DialogActions(props: { onCancel: () => void; submit: string }) {
  return (
    <div className={styles.dialogActions}>
      <button type="button" onClick={props.onCancel}>
        {t.cancel}
      </button>
      <button type="submit" className={forms.primary}>
        {props.submit}
      </button>
    </div>
  );
}

/** A dialog form whose errors say what to do and keep what was typed (except passwords). */
function useFormError() {
  const [error, setError] = useState<string | null>(null);
  const view = <FormError message={error} />;
  return { view, set: setError, fail: (e: unknown) => setError(e instanceof ApiError ? e.message : String(e)) };
}

export function AddUserDialog(props: { open: boolean; onClose: () => void; onAdded: (email: string) => void }) {
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
        <DialogActions onCancel={close} submit={t.addUser} />
      </form>
    </Dialog>
  );
}

export function LimitsDialog(props: { account: Account; onClose: () => void; onSaved: () => void }) {
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
        <DialogActions onCancel={props.onClose} submit={t.save} />
      </form>
    </Dialog>
  );
}

export function ResetPasswordDialog(props: { account: Account; onClose: () => void }) {
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
        <DialogActions onCancel={props.onClose} submit={t.resetPassword} />
      </form>
    </Dialog>
  );
}
