import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from "react";
import { api } from "../../api/client.js";
import type { McpCatalog, McpDisconnectReply, McpServerInfo, McpToolsReply, Profile, ToolPermissionInfo } from "../../api/types.js";
import controls from "../../components/controls.module.css";
import { Dialog } from "../../components/dialog.js";
import { FormError } from "../../components/form-error.js";
import forms from "../../components/forms.module.css";
import { Switch } from "../../components/switch.js";
import { t } from "../../i18n/index.js";
import styles from "./mcp.module.css";
import { parseHeaders, plainMcpError, statusLine, toolProfilesNote, withTool, type ToolsState } from "./mcp-text.js";
import { ClientFields, OAuthRow, parseClient, revocationText, SignInNote, useSignIn, type SignInState } from "./mcp-oauth.js";
import { AddProgramForm, CatalogSection } from "./mcp-catalog.js";
import { ErrorAndButtons, failureText } from "./mcp-form.js";


/**
 * The user's MCP servers (GET /api/mcp/servers): each with its address, its status (the dialog connects to every
 * server when it opens), on/off, its headers (names only; values can be replaced, never read), its tools with
 * their descriptions and a switch each, and Remove; "Add server" connects a new one. An OAuth-protected server
 * shows Sign in (a popup), Disconnect and its client id (mcp-oauth.tsx). Mounted while open.
 */
export default function McpDialog(props: { onClose: () => void; profiles: readonly Profile[]; profile: Profile }) {
  const [servers, setServers] = useState<McpServerInfo[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [tools, setTools] = useState<Record<string, ToolsState>>({});
  const [expanded, setExpanded] = useState<Record<string, boolean>>({});
  const [adding, setAdding] = useState(false);
  const [addingProgram, setAddingProgram] = useState(false);
  const [catalog, setCatalog] = useState<McpCatalog>({ servers: [], programsAllowed: false });
  /** Per-tool choices, by server id then tool. */
  const [permissions, setPermissions] = useState<Record<string, Record<string, "allow" | "ask">>>({});
  const addButton = useRef<HTMLButtonElement>(null);
  /** The latest tools request per server: an older answer (a reconnect overtaken by another) is dropped. */
  const toolsRequests = useRef(new Map<string, number>());

  const loadTools = useCallback((id: string) => {
    const seq = (toolsRequests.current.get(id) ?? 0) + 1;
    toolsRequests.current.set(id, seq);
    setTools((all) => ({ ...all, [id]: { state: "connecting" } }));
    const settle = (state: ToolsState) => {
      if (toolsRequests.current.get(id) === seq) setTools((all) => ({ ...all, [id]: state }));
    };
    api.mcp.tools(id).then(
      (reply: McpToolsReply) => settle({ state: "loaded", reply }),
      (error: unknown) => settle({ state: "failed", message: error instanceof Error ? error.message : t.errorGeneric }),
    );
  }, []);

  const load = useCallback(async () => {
    setLoadError(null);
    try {
      const [{ servers: list }, offered, chosen] = await Promise.all([api.mcp.servers(), api.mcp.catalog(), api.mcp.toolPermissions()]);
      setServers(list);
      setCatalog(offered);
      setPermissions(permissionsByServer(chosen.permissions));
      for (const server of list) loadTools(server.id);
    } catch (error) {
      setLoadError(failureText(error));
    }
  }, [loadTools]);
  useEffect(() => {
    void load();
  }, [load]);

  /** After a sign-in: the server's info (signed in now) and its tools again. */
  const reloadServer = useCallback(
    (id: string) => {
      loadTools(id);
      api.mcp.servers().then(
        ({ servers: list }) => setServers((current) => current?.map((s) => list.find((fresh) => fresh.id === s.id) ?? s) ?? list),
        () => undefined,
      );
    },
    [loadTools],
  );
  const signIn = useSignIn(reloadServer);

  const note = toolProfilesNote(props.profiles, props.profile);
  const added = (server: McpServerInfo) => {
    setServers((list) => [...(list ?? []), server]);
    setExpanded((all) => ({ ...all, [server.id]: true }));
    if (server.source === "listed") setCatalog((c) => ({ ...c, servers: c.servers.map((s) => (s.name === server.name ? { ...s, added: true } : s)) }));
    loadTools(server.id);
  };
  const setPermission = async (serverId: string, tool: string, permission: "allow" | "ask" | null) => {
    const before = permissions;
    setPermissions((all) => {
      const tools = { ...all[serverId] };
      if (permission) tools[tool] = permission;
      else delete tools[tool];
      return { ...all, [serverId]: tools };
    });
    await api.mcp.setToolPermission(serverId, tool, permission).catch((error: unknown) => {
      setPermissions(before);
      throw error;
    });
  };
  const replace = (server: McpServerInfo) => setServers((list) => list?.map((s) => (s.id === server.id ? server : s)) ?? null);

  return (
    <Dialog
      title={t.mcpServers}
      open
      onClose={props.onClose}
      wide
      footer={
        <button type="button" className={controls.primary} onClick={props.onClose}>
          {t.close}
        </button>
      }
    >
      <p className={styles.intro}>{t.mcpIntro}</p>
      <p className={styles.profiles} data-can={props.profile.capabilities.tool}>
        {note.profiles} <strong>{note.current}</strong>
      </p>
      {loadError ? (
        <div role="alert" className={styles.loadError}>
          <span>
            {t.mcpLoadFailed} {loadError}
          </span>
          <button type="button" onClick={() => void load()}>
            {t.retry}
          </button>
        </div>
      ) : servers === null ? (
        <p className={styles.soft}>{t.mcpLoading}</p>
      ) : servers.length === 0 && !adding ? (
        <p className={styles.soft}>{t.mcpNone}</p>
      ) : (
        <ul className={styles.servers} aria-label={t.mcpServerList}>
          {servers.map((server) => (
            <li key={server.id}>
              <ServerCard
                server={server}
                tools={tools[server.id] ?? { state: "connecting" }}
                expanded={expanded[server.id] ?? false}
                onExpand={(open) => setExpanded((all) => ({ ...all, [server.id]: open }))}
                onChange={replace}
                onReconnect={() => loadTools(server.id)}
                signIn={signIn.state?.serverId === server.id ? signIn.state : undefined}
                onSignIn={() => void signIn.start(server.id)}
                onRemoved={() => {
                  setServers((list) => list?.filter((s) => s.id !== server.id) ?? null);
                  if (server.source === "listed") setCatalog((c) => ({ ...c, servers: c.servers.map((s) => (s.name === server.name ? { ...s, added: false } : s)) }));
                  addButton.current?.focus();
                }}
                permissions={permissions[server.id] ?? {}}
                onPermission={(tool, permission) => setPermission(server.id, tool, permission)}
              />
            </li>
          ))}
        </ul>
      )}
      {adding ? (
        <AddServerForm
          onCancel={() => {
            setAdding(false);
            requestAnimationFrame(() => addButton.current?.focus());
          }}
          onAdded={(server) => {
            added(server);
            setAdding(false);
          }}
        />
      ) : addingProgram ? (
        <AddProgramForm
          onCancel={() => {
            setAddingProgram(false);
            requestAnimationFrame(() => addButton.current?.focus());
          }}
          onAdded={(server) => {
            added(server);
            setAddingProgram(false);
          }}
        />
      ) : servers !== null ? (
        <div className={styles.addButtons}>
          <button ref={addButton} type="button" className={styles.addButton} onClick={() => setAdding(true)}>
            {t.mcpAddServer}
          </button>
          {catalog.programsAllowed ? (
            <button type="button" className={styles.addButton} onClick={() => setAddingProgram(true)}>
              {t.mcpAddProgram}
            </button>
          ) : null}
        </div>
      ) : null}
      {servers !== null ? <CatalogSection catalog={catalog} onAdded={added} /> : null}
    </Dialog>
  );
}

function ServerCard(props: {
  server: McpServerInfo;
  tools: ToolsState;
  expanded: boolean;
  onExpand: (open: boolean) => void;
  onChange: (server: McpServerInfo) => void;
  onReconnect: () => void;
  onRemoved: () => void;
  signIn: SignInState | undefined;
  onSignIn: () => void;
  /** This server's per-tool choices, and changing one (rejects when it was not saved). */
  permissions: Readonly<Record<string, "allow" | "ask">>;
  onPermission: (tool: string, permission: "allow" | "ask" | null) => Promise<void>;
}) {
  const { server, tools } = props;
  const headingId = useId();
  const listId = useId();
  const [error, setError] = useState<string | null>(null);
  const [removing, setRemoving] = useState(false);
  const [editingHeaders, setEditingHeaders] = useState(false);
  /** What the last Disconnect did with the tokens (kept here: the sign-in row is replaced while the server reconnects). */
  const [revocation, setRevocation] = useState<McpDisconnectReply | null>(null);
  /** Changes go out in order; only the answer to the latest one is taken (an older one would undo a newer switch). */
  const latest = useRef(0);

  const change = async (patch: { enabled?: boolean; askBeforeRunning?: boolean; disabledTools?: string[] }) => {
    const before = server;
    const seq = ++latest.current;
    setError(null);
    props.onChange({ ...server, ...patch });
    try {
      const { server: saved } = await api.mcp.update(server.id, patch);
      if (seq === latest.current) props.onChange(saved);
    } catch (e) {
      if (seq === latest.current) props.onChange(before);
      setError(failureText(e));
    }
  };
  const remove = async () => {
    setError(null);
    setRemoving(true);
    try {
      await api.mcp.remove(server.id);
      props.onRemoved();
    } catch (e) {
      setError(failureText(e));
      setRemoving(false);
    }
  };
  const saveHeaders = async (headers: Record<string, string> | null): Promise<string | null> => {
    try {
      const { server: saved } = await api.mcp.update(server.id, { headers });
      props.onChange(saved);
      setEditingHeaders(false);
      props.onReconnect();
      return null;
    } catch (e) {
      return failureText(e);
    }
  };

  const status = statusLine(server, tools);
  const reply = tools.state === "loaded" ? tools.reply : null;
  const off = new Set(server.disabledTools);
  return (
    <section className={styles.server} aria-labelledby={headingId} data-enabled={server.enabled}>
      <div className={styles.serverHead}>
        <h3 id={headingId} className={styles.serverName}>
          {server.name}
        </h3>
        <button type="button" className={styles.remove} aria-label={t.mcpRemoveServer(server.name)} disabled={removing} onClick={() => void remove()}>
          {t.mcpRemove}
        </button>
      </div>
      <p className={styles.url}>{server.url}</p>
      <div className={styles.statusRow}>
        <p role="status" className={styles.status} data-kind={status.kind}>
          {status.kind === "connecting" ? <span className={`${controls.spinner} ${styles.smallSpinner}`} aria-hidden="true" /> : <span className={styles.dot} aria-hidden="true" />}
          <span>{status.text}</span>
        </p>
        {status.kind === "error" ? (
          <button type="button" className={styles.small} onClick={props.onReconnect}>
            {t.mcpTryAgain}
          </button>
        ) : null}
        {status.kind === "signin" ? (
          <button type="button" className={`${styles.small} ${controls.primary}`} disabled={props.signIn?.phase === "starting"} onClick={props.onSignIn}>
            {server.oauth.signedIn ? t.mcpSignInAgain : t.mcpSignIn}
          </button>
        ) : null}
      </div>
      {status.kind !== "connected" ? <SignInNote state={props.signIn} /> : null}
      {/* A live region present before it speaks (so it is announced), apart from the server's own status. */}
      <p aria-live="polite" className={styles.revocation}>
        {revocation && !server.oauth.signedIn ? revocationText(revocation) : null}
      </p>
      <Switch label={t.enabled} hint={server.enabled ? undefined : t.mcpServerOff} checked={server.enabled} onChange={(enabled) => void change({ enabled })} />
      <Switch label={t.mcpAskBeforeRunning} hint={t.mcpAskHint} checked={server.askBeforeRunning} onChange={(askBeforeRunning) => void change({ askBeforeRunning })} />
      {server.source === "user" ? (
        <div className={styles.headersRow}>
          <span className={styles.headersLabel}>{t.mcpHeaders}</span>
          {server.headers.length ? (
            <ul className={styles.headerList}>
              {server.headers.map((name) => (
                <li key={name} className={styles.headerChip}>
                  {t.mcpHeaderSet(name)}
                </li>
              ))}
            </ul>
          ) : (
            <span className={styles.soft}>{t.mcpHeadersNone}</span>
          )}
          {!editingHeaders ? (
            <button type="button" className={styles.small} onClick={() => setEditingHeaders(true)}>
              {server.headers.length ? t.mcpReplaceHeaders : t.mcpAddHeaders}
            </button>
          ) : null}
        </div>
      ) : null}
      {editingHeaders ? <HeadersEditor current={server.headers} onSave={saveHeaders} onCancel={() => setEditingHeaders(false)} /> : null}
      {server.oauth.signedIn || server.oauth.clientId || status.kind === "signin" ? <OAuthRow server={server} onChange={props.onChange} onReconnect={props.onReconnect} onDisconnected={setRevocation} /> : null}
      <FormError message={error} />
      {reply && reply.status === "connected" ? (
        <>
          <button type="button" className={styles.toolsToggle} aria-expanded={props.expanded} aria-controls={listId} onClick={() => props.onExpand(!props.expanded)}>
            <span aria-hidden="true" className={styles.chevron}>
              {props.expanded ? "▾" : "▸"}
            </span>
            {t.mcpTools(reply.tools.length)}
          </button>
          <div id={listId} hidden={!props.expanded}>
            {reply.tools.length === 0 ? <p className={styles.soft}>{t.mcpNoTools}</p> : null}
            <ul className={styles.tools} aria-label={t.mcpTools(reply.tools.length)}>
              {reply.tools.map((tool) => (
                <ToolRow
                  key={tool.name}
                  name={tool.name}
                  description={tool.description}
                  readOnly={tool.readOnly}
                  enabled={!off.has(tool.name)}
                  onChange={(enabled) => void change({ disabledTools: withTool(server.disabledTools, tool.name, enabled) })}
                  permission={props.permissions[tool.name] ?? null}
                  onPermission={(permission) => props.onPermission(tool.name, permission).catch((e: unknown) => setError(failureText(e)))}
                />
              ))}
            </ul>
            {reply.unavailable.length ? (
              <>
                <h4 className={styles.unavailableTitle}>{t.mcpUnavailable}</h4>
                <ul className={styles.tools}>
                  {reply.unavailable.map((tool) => (
                    <li key={tool.name} className={styles.tool}>
                      <span className={styles.toolText}>
                        <span className={styles.toolName}>{tool.name}</span>
                        <span className={styles.toolDescription}>{plainMcpError(tool.reason)}</span>
                      </span>
                    </li>
                  ))}
                </ul>
              </>
            ) : null}
          </div>
        </>
      ) : null}
    </section>
  );
}

function ToolRow(props: {
  name: string;
  description: string;
  readOnly: boolean;
  enabled: boolean;
  onChange: (enabled: boolean) => void;
  permission: "allow" | "ask" | null;
  onPermission: (permission: "allow" | "ask" | null) => void;
}) {
  const id = useId();
  return (
    <li className={styles.tool} data-enabled={props.enabled}>
      <span className={styles.toolText}>
        <span className={styles.toolName} id={`${id}-name`}>
          {props.name}
        </span>
        {props.readOnly ? <span className={styles.readOnly}>{t.mcpReadOnly}</span> : null}
        {props.description ? (
          <span className={styles.toolDescription} id={`${id}-description`}>
            {props.description}
          </span>
        ) : null}
      </span>
      <button
        type="button"
        role="switch"
        aria-checked={props.enabled}
        aria-labelledby={`${id}-name`}
        {...(props.description ? { "aria-describedby": `${id}-description` } : {})}
        className={controls.switch}
        onClick={() => props.onChange(!props.enabled)}
      >
        <span className={controls.thumb} />
      </button>
      <select className={styles.permission} aria-label={t.mcpToolPermission(props.name)} value={props.permission ?? ""} onChange={(e) => props.onPermission((e.target.value || null) as "allow" | "ask" | null)}>
        <option value="">{t.mcpPermissionDefault}</option>
        <option value="allow">{t.mcpPermissionAllow}</option>
        <option value="ask">{t.mcpPermissionAsk}</option>
      </select>
    </li>
  );
}

/** GET /api/mcp/tool-permissions as server id → tool → choice. */
function permissionsByServer(list: readonly ToolPermissionInfo[]): Record<string, Record<string, "allow" | "ask">> {
  const byServer: Record<string, Record<string, "allow" | "ask">> = {};
  for (const p of list) (byServer[p.serverId] ??= {})[p.tool] = p.permission;
  return byServer;
}

/** Header fields: the Authorization header, and other headers one per line (`Name: value`), shown on demand. */
function HeaderFields(props: { authorization: string; other: string; onAuthorization: (v: string) => void; onOther: (v: string) => void }) {
  const id = useId();
  const [showOther, setShowOther] = useState(props.other !== "");
  return (
    <>
      <label className={forms.field}>
        {t.mcpAuthorization}
        <input
          type="text"
          autoComplete="off"
          spellCheck={false}
          value={props.authorization}
          placeholder="Bearer …"
          aria-describedby={`${id}-auth-hint`}
          onChange={(e) => props.onAuthorization(e.target.value)}
        />
      </label>
      <p className={forms.hint} id={`${id}-auth-hint`}>
        {t.mcpAuthorizationHint} {t.mcpHeadersHidden}
      </p>
      {showOther ? (
        <>
          <label className={`${forms.field} ${styles.textareaField}`}>
            {t.mcpOtherHeaders}
            <textarea rows={2} autoComplete="off" spellCheck={false} autoFocus value={props.other} placeholder="X-Api-Key: …" aria-describedby={`${id}-other-hint`} onChange={(e) => props.onOther(e.target.value)} />
          </label>
          <p className={forms.hint} id={`${id}-other-hint`}>
            {t.mcpOtherHeadersHint}
          </p>
        </>
      ) : (
        <button type="button" className={styles.linkButton} onClick={() => setShowOther(true)}>
          {t.mcpShowOtherHeaders}
        </button>
      )}
    </>
  );
}

/** Replaces a server's headers (the values typed here become the whole set), or removes them. Typed text stays on error. */
function HeadersEditor(props: { current: readonly string[]; onSave: (headers: Record<string, string> | null) => Promise<string | null>; onCancel: () => void }) {
  const [authorization, setAuthorization] = useState("");
  const [other, setOther] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const save = async (headers: Record<string, string> | null) => {
    setBusy(true);
    setError(null);
    const failure = await props.onSave(headers);
    setBusy(false);
    if (failure) setError(failure);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const parsed = parseHeaders(authorization, other);
    if ("error" in parsed) return setError(parsed.error);
    void save(Object.keys(parsed.headers).length ? parsed.headers : null);
  };
  return (
    <form className={styles.subform} onSubmit={submit} aria-label={t.mcpReplaceHeaders}>
      {props.current.length ? <p className={forms.hint}>{t.mcpHeadersReplaceHint(props.current.join(", "))}</p> : null}
      <HeaderFields authorization={authorization} other={other} onAuthorization={setAuthorization} onOther={setOther} />
      <ErrorAndButtons message={error}>
        {props.current.length ? (
          <button type="button" className={styles.leftButton} disabled={busy} onClick={() => void save(null)}>
            {t.mcpRemoveHeaders}
          </button>
        ) : null}
        <button type="button" disabled={busy} onClick={props.onCancel}>
          {t.cancel}
        </button>
        <button type="submit" className={controls.primary} disabled={busy}>
          {t.mcpSaveHeaders}
        </button>
      </ErrorAndButtons>
    </form>
  );
}

/** Name, address and optional headers of a new server; Connect adds it (the dialog then lists its tools). */
function AddServerForm(props: { onAdded: (server: McpServerInfo) => void; onCancel: () => void }) {
  const [name, setName] = useState("");
  const [url, setUrl] = useState("");
  const [authorization, setAuthorization] = useState("");
  const [other, setOther] = useState("");
  const [clientId, setClientId] = useState("");
  const [clientSecret, setClientSecret] = useState("");
  const [showClient, setShowClient] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const hintId = useId();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    if (!name.trim()) return setError(t.mcpNameRequired);
    if (!url.trim()) return setError(t.mcpUrlRequired);
    const parsed = parseHeaders(authorization, other);
    if ("error" in parsed) return setError(parsed.error);
    const client = parseClient(clientId, clientSecret);
    if ("error" in client) return setError(client.error);
    setBusy(true);
    try {
      const { server } = await api.mcp.add({ name: name.trim(), url: url.trim(), ...(Object.keys(parsed.headers).length ? { headers: parsed.headers } : {}), ...(client.client ?? {}) });
      props.onAdded(server);
    } catch (failure) {
      setError(failureText(failure));
      setBusy(false);
    }
  };
  return (
    <form className={styles.subform} onSubmit={(e) => void submit(e)} aria-label={t.mcpAddServer} noValidate>
      <h3 className={styles.formTitle}>{t.mcpAddServer}</h3>
      <label className={forms.field}>
        {t.mcpServerName}
        <input type="text" autoFocus autoComplete="off" spellCheck={false} maxLength={64} value={name} aria-describedby={hintId} onChange={(e) => setName(e.target.value)} />
      </label>
      <p className={forms.hint} id={hintId}>
        {t.mcpServerNameHint}
      </p>
      <label className={forms.field}>
        {t.mcpServerUrl}
        <input type="url" inputMode="url" autoComplete="off" spellCheck={false} value={url} placeholder={t.mcpServerUrlPlaceholder} onChange={(e) => setUrl(e.target.value)} />
      </label>
      <HeaderFields authorization={authorization} other={other} onAuthorization={setAuthorization} onOther={setOther} />
      {showClient ? (
        <ClientFields clientId={clientId} clientSecret={clientSecret} onClientId={setClientId} onClientSecret={setClientSecret} autoFocus />
      ) : (
        <button type="button" className={styles.linkButton} onClick={() => setShowClient(true)}>
          {t.mcpShowClient}
        </button>
      )}
      <ErrorAndButtons message={error}>
        <button type="button" disabled={busy} onClick={props.onCancel}>
          {t.cancel}
        </button>
        <button type="submit" className={controls.primary} disabled={busy}>
          {busy ? t.mcpConnectingNow : t.mcpConnect}
        </button>
      </ErrorAndButtons>
    </form>
  );
}
