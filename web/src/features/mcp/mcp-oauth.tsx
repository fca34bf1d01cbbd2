import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from "react";
import { api } from "../../api/client.js";
import type { McpDisconnectReply, McpServerInfo } from "../../api/types.js";
import controls from "../../components/controls.module.css";
import { FormError } from "../../components/form-error.js";
import forms from "../../components/forms.module.css";
import { t } from "../../i18n/index.js";
import styles from "./mcp.module.css";
import { failureText } from "./mcp-form.js";
import { plainMcpError } from "./mcp-text.js";

/**
 * OAuth in the MCP dialog: Sign in (a popup window to the server's authorization page; the app's callback page
 * tells this dialog over BroadcastChannel "mcp-oauth" and closes), Disconnect, and the client id and secret for a
 * server whose authorization server does not offer dynamic registration.
 */

export const CALLBACK_URL = () => `${window.location.origin}/api/mcp/oauth/callback`;

export type SignInState = { serverId: string; phase: "starting" | "waiting" } | { serverId: string; phase: "blocked"; url: string } | { serverId: string; phase: "failed"; error: string };

/** The dialog's one sign-in at a time; `onSignedIn` (or `onCheck`, when the user comes back to this window) reloads the server. */
export function useSignIn(onSignedIn: (serverId: string) => void) {
  const [state, setState] = useState<SignInState | null>(null);
  const current = useRef(state);
  current.current = state;

  useEffect(() => {
    if (typeof BroadcastChannel === "undefined") return undefined;
    const channel = new BroadcastChannel("mcp-oauth");
    channel.onmessage = (event: MessageEvent<{ type?: string; ok?: boolean; serverId?: string | null; message?: string }>) => {
      const data = event.data;
      if (data?.type !== "mcp-oauth") return;
      const id = data.serverId ?? current.current?.serverId;
      if (!id) return;
      if (data.ok) {
        setState(null);
        onSignedIn(id);
      } else setState({ serverId: id, phase: "failed", error: plainMcpError(data.message ?? t.errorGeneric) });
    };
    return () => channel.close();
  }, [onSignedIn]);

  // The sign-in window closed without a word (or the word was missed): look at the server again on coming back.
  useEffect(() => {
    const onFocus = () => {
      const s = current.current;
      if (s?.phase === "waiting" || s?.phase === "blocked") onSignedIn(s.serverId);
    };
    window.addEventListener("focus", onFocus);
    return () => window.removeEventListener("focus", onFocus);
  }, [onSignedIn]);

  const start = useCallback(async (serverId: string) => {
    // Opened now, in the click, so that it is not blocked; it goes to the authorization page once the app has its address.
    const popup = window.open("", "mcp-oauth", "popup,width=520,height=720");
    setState({ serverId, phase: "starting" });
    try {
      const { authorizationUrl } = await api.mcp.signIn(serverId);
      if (popup && !popup.closed) {
        popup.location.href = authorizationUrl;
        setState({ serverId, phase: "waiting" });
      } else setState({ serverId, phase: "blocked", url: authorizationUrl });
    } catch (error) {
      popup?.close();
      setState({ serverId, phase: "failed", error: failureText(error) });
    }
  }, []);
  return { state, start, clear: useCallback(() => setState(null), []) };
}

/** Under the status line: what the sign-in is doing, or why it failed. */
export function SignInNote(props: { state: SignInState | undefined }) {
  const { state } = props;
  if (!state) return null;
  if (state.phase === "starting") return null;
  if (state.phase === "waiting") return <p className={styles.soft}>{t.mcpSigningIn}</p>;
  if (state.phase === "blocked") {
    return (
      <p className={styles.soft}>
        {t.mcpSignInBlocked}{" "}
        <a href={state.url} target="_blank" rel="noopener">
          {t.mcpOpenSignIn}
        </a>
      </p>
    );
  }
  if (state.phase === "failed") return <FormError message={t.mcpSignInFailed(state.error)} />;
  return null;
}

/** The Sign-in row of a server: signed in or not (Disconnect), and the client id (and secret) entered for it. */
export function OAuthRow(props: { server: McpServerInfo; onChange: (server: McpServerInfo) => void; onReconnect: () => void; onDisconnected: (reply: McpDisconnectReply) => void }) {
  const { server } = props;
  const [editing, setEditing] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const disconnect = async () => {
    setBusy(true);
    setError(null);
    try {
      props.onDisconnected(await api.mcp.disconnect(server.id));
      props.onChange({ ...server, oauth: { ...server.oauth, signedIn: false } });
      props.onReconnect();
    } catch (e) {
      setError(failureText(e));
    }
    setBusy(false);
  };
  const saveClient = async (client: { clientId: string | null; clientSecret?: string }): Promise<string | null> => {
    try {
      const { server: saved } = await api.mcp.setClient(server.id, client);
      props.onChange(saved);
      setEditing(false);
      props.onReconnect();
      return null;
    } catch (e) {
      return failureText(e);
    }
  };
  return (
    <>
      <div className={styles.headersRow}>
        <span className={styles.headersLabel}>{t.mcpOAuth}</span>
        <ul className={styles.headerList}>
          <li className={styles.headerChip} data-on={server.oauth.signedIn}>
            {server.oauth.signedIn ? t.mcpSignedIn : t.mcpNotSignedIn}
          </li>
          {server.oauth.clientId ? <li className={styles.headerChip}>{t.mcpClientIdSet(server.oauth.clientId)}</li> : null}
          {server.oauth.clientSecret ? <li className={styles.headerChip}>{t.mcpClientSecretSet}</li> : null}
        </ul>
        {server.oauth.signedIn ? (
          <button type="button" className={styles.small} disabled={busy} onClick={() => void disconnect()}>
            {t.mcpDisconnect}
          </button>
        ) : null}
        {!editing ? (
          <button type="button" className={styles.small} onClick={() => setEditing(true)}>
            {server.oauth.clientId ? t.mcpChangeClient : t.mcpSetClient}
          </button>
        ) : null}
      </div>
      <FormError message={error} />
      {editing ? <ClientEditor current={server.oauth.clientId} signedIn={server.oauth.signedIn} onSave={saveClient} onCancel={() => setEditing(false)} /> : null}
    </>
  );
}

/** What Disconnect did with the server's tokens besides forgetting them (revoked, or why not). */
export function revocationText({ revocation, problem }: McpDisconnectReply): string | null {
  if (revocation === "revoked") return t.mcpRevoked;
  if (revocation === "not_offered") return t.mcpRevocationNotOffered;
  if (revocation === "failed") return t.mcpRevocationFailed(problem ?? "no reason given");
  return null;
}

/** Client ID and Client secret fields (text fields: the secret is typed once and never shown again). */
export function ClientFields(props: { clientId: string; clientSecret: string; onClientId: (v: string) => void; onClientSecret: (v: string) => void; autoFocus?: boolean }) {
  const id = useId();
  return (
    <>
      <label className={forms.field}>
        {t.mcpClientId}
        <input type="text" autoComplete="off" spellCheck={false} maxLength={500} autoFocus={props.autoFocus} value={props.clientId} aria-describedby={`${id}-id-hint`} onChange={(e) => props.onClientId(e.target.value)} />
      </label>
      <p className={forms.hint} id={`${id}-id-hint`}>
        {t.mcpClientHint(CALLBACK_URL())}
      </p>
      <label className={forms.field}>
        {t.mcpClientSecret}
        <input type="text" autoComplete="off" spellCheck={false} maxLength={2000} value={props.clientSecret} aria-describedby={`${id}-secret-hint`} onChange={(e) => props.onClientSecret(e.target.value)} />
      </label>
      <p className={forms.hint} id={`${id}-secret-hint`}>
        {t.mcpClientSecretHint}
      </p>
    </>
  );
}

/** The typed client: none when both are empty, an error when there is a secret without an id. */
export function parseClient(clientId: string, clientSecret: string): { client: { clientId: string; clientSecret?: string } | null } | { error: string } {
  const id = clientId.trim();
  const secret = clientSecret.trim();
  if (!id && secret) return { error: t.mcpClientIdRequired };
  return { client: id ? { clientId: id, ...(secret ? { clientSecret: secret } : {}) } : null };
}

function ClientEditor(props: { current: string | null; signedIn: boolean; onSave: (client: { clientId: string | null; clientSecret?: string }) => Promise<string | null>; onCancel: () => void }) {
  const [clientId, setClientId] = useState(props.current ?? "");
  const [clientSecret, setClientSecret] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const save = async (client: { clientId: string | null; clientSecret?: string }) => {
    setBusy(true);
    setError(null);
    const failure = await props.onSave(client);
    setBusy(false);
    if (failure) setError(failure);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const parsed = parseClient(clientId, clientSecret);
    if ("error" in parsed) return setError(parsed.error);
    void save(parsed.client ?? { clientId: null });
  };
  return (
    <form className={styles.subform} onSubmit={submit} aria-label={t.mcpSetClient} noValidate>
      <ClientFields clientId={clientId} clientSecret={clientSecret} onClientId={setClientId} onClientSecret={setClientSecret} autoFocus />
      {props.signedIn ? <p className={forms.hint}>{t.mcpClientChangeSignsOut}</p> : null}
      <FormError message={error} />
      <div className={styles.buttons}>
        {props.current ? (
          <button type="button" className={styles.leftButton} disabled={busy} onClick={() => void save({ clientId: null })}>
            {t.mcpRemoveClient}
          </button>
        ) : null}
        <button type="button" disabled={busy} onClick={props.onCancel}>
          {t.cancel}
        </button>
        <button type="submit" className={controls.primary} disabled={busy}>
          {t.mcpSaveClient}
        </button>
      </div>
    </form>
  );
}
