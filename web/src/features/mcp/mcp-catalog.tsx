import { useId, useState, type FormEvent } from "react";
import { api } from "../../api/client.js";
import type { McpCatalog, McpServerInfo } from "../../api/types.js";
import controls from "../../components/controls.module.css";
import { FormError } from "../../components/form-error.js";
import forms from "../../components/forms.module.css";
import { t } from "../../i18n/index.js";
import styles from "./mcp.module.css";
import { ErrorAndButtons, failureText } from "./mcp-form.js";


/**
 * The servers the administrator offers everyone (MCP_SERVERS_FILE): each with what it is and where it runs, and
 * "Add <name>" to switch it on for oneself. Shown only when the list has servers.
 */
export function CatalogSection(props: { catalog: McpCatalog; onAdded: (server: McpServerInfo) => void }) {
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const headingId = useId();
  if (props.catalog.servers.length === 0) return null;
  const add = async (name: string) => {
    setBusy(name);
    setError(null);
    try {
      const { server } = await api.mcp.addListed(name);
      props.onAdded(server);
    } catch (e) {
      setError(failureText(e));
    } finally {
      setBusy(null);
    }
  };
  return (
    <section className={styles.catalog} aria-labelledby={headingId}>
      <h3 id={headingId} className={styles.formTitle}>
        {t.mcpCatalogTitle}
      </h3>
      <ul className={styles.tools}>
        {props.catalog.servers.map((server) => (
          <li key={server.name} className={styles.tool}>
            <span className={styles.toolText}>
              <span className={styles.toolName}>{server.name}</span>
              {server.description ? <span className={styles.toolDescription}>{server.description}</span> : null}
              <span className={styles.url}>{server.transport === "stdio" ? t.mcpCatalogProgram(server.where) : server.where}</span>
            </span>
            {server.added ? (
              <span className={styles.soft}>{t.mcpCatalogAdded}</span>
            ) : (
              <button type="button" className={styles.small} disabled={busy !== null} onClick={() => void add(server.name)}>
                {t.mcpCatalogAdd(server.name)}
              </button>
            )}
          </li>
        ))}
      </ul>
      <FormError message={error} />
    </section>
  );
}

/** AUTH_MODE=none: a program on this computer as an MCP server (stdio): its name and command line. */
export function AddProgramForm(props: { onAdded: (server: McpServerInfo) => void; onCancel: () => void }) {
  const [name, setName] = useState("");
  const [command, setCommand] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const hintId = useId();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    if (!name.trim()) return setError(t.mcpNameRequired);
    if (!command.trim()) return setError(t.mcpCommandRequired);
    setBusy(true);
    try {
      const { server } = await api.mcp.addProgram({ name: name.trim(), command: command.trim() });
      props.onAdded(server);
    } catch (failure) {
      setError(failureText(failure));
      setBusy(false);
    }
  };
  return (
    <form className={styles.subform} onSubmit={(e) => void submit(e)} aria-label={t.mcpAddProgram} noValidate>
      <h3 className={styles.formTitle}>{t.mcpAddProgram}</h3>
      <label className={forms.field}>
        {t.mcpServerName}
        <input type="text" autoFocus autoComplete="off" spellCheck={false} maxLength={64} value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <label className={forms.field}>
        {t.mcpCommand}
        <input type="text" autoComplete="off" spellCheck={false} value={command} placeholder="npx -y @modelcontextprotocol/server-everything" aria-describedby={hintId} onChange={(e) => setCommand(e.target.value)} />
      </label>
      <p className={forms.hint} id={hintId}>
        {t.mcpCommandHint}
      </p>
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
