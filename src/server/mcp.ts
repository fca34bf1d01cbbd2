import type { OAuthClientProvider } from "@modelcontextprotocol/sdk/client/auth.js";
import type { AuthMode } from "../auth/mode.js";
import type { ToolExecutor } from "../engine/tools.js";
import type { AddressPolicy } from "../net/address-policy.js";
import { createSafeFetch, type SafeFetch } from "../net/safe-fetch.js";
import type { SecretBox, SecretKeys } from "../secrets/secret-box.js";
import type { McpServerConfig } from "../tools/connection.js";
import { Toolset } from "../tools/toolset.js";
import type { Db } from "../store/db.js";
import { listServers, type McpServerRow } from "../store/mcp-servers.js";
import { McpOAuth } from "./mcp-oauth.js";
import type { McpDisconnectReply } from "../shared/mcp.js";
import type { ListedServer } from "../tools/servers-file.js";

/** How long a user's MCP connections stay open without an answer using them. */
export const IDLE_CLOSE_MS = 5 * 60_000;

interface PooledTools {
  /** The servers' configs and switched-off tools they were made from: a change makes a new pool. */
  key: string;
  toolset: Toolset;
  /** Answers using it now. */
  users: number;
  idle: NodeJS.Timeout | undefined;
}

/** The tools of one user's answer: the executor for the engine, what to tell the user, and closing. */
export interface TurnTools {
  executor: ToolExecutor;
  notices: string[];
  close(): Promise<void>;
}

/**
 * Outgoing MCP connections may reach private networks only on the user's own machine (AUTH_MODE=none) or when
 * MCP_ALLOW_PRIVATE_NETWORKS=1; cloud metadata addresses only with the latter.
 */
export function mcpAddressPolicy(authMode: AuthMode, allowPrivateNetworks: boolean): AddressPolicy {
  return { allowPrivate: allowPrivateNetworks || authMode === "none", allowMetadata: allowPrivateNetworks };
}

/** The context a server's headers are sealed with: a value moved to another record does not decrypt. */
export const headersContext = (serverId: string) => `mcp-server:${serverId}:headers`;
/** The same for a program's command, arguments and environment (stdio servers, AUTH_MODE=none). */
export const stdioContext = (serverId: string) => `mcp-server:${serverId}:stdio`;

/**
 * Each user's MCP servers as tools for their answers, connected through the SSRF-safe fetch. A server that fails
 * gives no tools and a notice; the turn runs without it.
 */
export class McpTools {
  /** The one dispatcher of MCP's outgoing HTTP: connections, OAuth discovery, registration and token requests. */
  readonly fetch: SafeFetch;
  readonly oauth: McpOAuth;

  constructor(
    private readonly options: {
      db: Db;
      keys: SecretKeys;
      policy: AddressPolicy;
      callTimeoutMs?: number;
      /** PUBLIC_URL, where OAuth's callback is; when unset, the address the browser uses, or the first of `origins`. */
      publicUrl?: string | undefined;
      origins?: readonly string[];
      /** The servers the admin offers every user (MCP_SERVERS_FILE). */
      listed?: readonly ListedServer[];
      /** AUTH_MODE: in "none" the one user may run programs (stdio servers) of their own. */
      authMode?: AuthMode;
    },
  ) {
    this.fetch = createSafeFetch({ policy: options.policy, bodyTimeoutMs: 0 });
    this.listed = new Map((options.listed ?? []).map((server) => [server.name, server]));
    this.oauth = new McpOAuth({ db: options.db, fetch: this.fetch, redirectBase: (browserOrigin) => options.publicUrl ?? browserOrigin ?? options.origins?.[0] ?? "http://localhost" });
  }

  private readonly listed: ReadonlyMap<string, ListedServer>;
  /** For admin-listed servers marked privateNetwork: private addresses allowed, metadata addresses as the policy says. */
  private privateFetch: SafeFetch | undefined;

  /** The admin's list (MCP_SERVERS_FILE), in its order. */
  get catalog(): readonly ListedServer[] {
    return [...this.listed.values()];
  }

  /** Whether users may add programs (stdio servers) of their own: only the one person of AUTH_MODE=none. */
  get programsAllowed(): boolean {
    return this.options.authMode === "none";
  }

  get keys(): SecretKeys {
    return this.options.keys;
  }

  get box(): SecretBox | undefined {
    return this.options.keys.available ? this.options.keys.box : undefined;
  }

  /** The server's headers, decrypted (empty when none, or when the key to read them is missing: said in `problem`). */
  headersOf(row: McpServerRow): { headers: Record<string, string>; problem?: string } {
    if (!row.headers_encrypted) return { headers: {} };
    const box = this.box;
    if (!box) return { headers: {}, problem: `server ${row.name}: its headers cannot be read: SECRET_KEY is not set` };
    try {
      return { headers: JSON.parse(box.decrypt(row.headers_encrypted, headersContext(row.id))) as Record<string, string> };
    } catch (error) {
      return { headers: {}, problem: `server ${row.name}: ${(error as Error).message}` };
    }
  }

  /**
   * The OAuth provider behind a server's connections (tokens, refresh), for a server that has no Authorization
   * header of its own, when secrets can be stored; undefined otherwise (a 401 is then just an error).
   */
  authProviderOf(row: McpServerRow): OAuthClientProvider | undefined {
    if (row.source === "stdio") return undefined;
    if (row.source === "listed") {
      const listed = this.listed.get(row.name)?.config;
      if (!listed || listed.transport !== "http" || Object.keys(listed.headers ?? {}).some((name) => name.toLowerCase() === "authorization")) return undefined;
    }
    const box = this.box;
    if (!box || Object.keys(this.headersOf(row).headers).some((name) => name.toLowerCase() === "authorization")) return undefined;
    return this.oauth.connectionProvider(box, row);
  }

  /** Toolset options for these rows: the dispatcher, and each server's OAuth provider. */
  connectionOptions(rows: readonly McpServerRow[]): { fetch: SafeFetch; fetchFor: (config: McpServerConfig) => SafeFetch; authProvider: (config: McpServerConfig) => OAuthClientProvider | undefined } {
    const byName = new Map(rows.map((row) => [row.name, row]));
    return {
      fetch: this.fetch,
      fetchFor: (config) => {
        const row = byName.get(config.name);
        if (row?.source !== "listed" || !this.listed.get(row.name)?.privateNetwork) return this.fetch;
        this.privateFetch ??= createSafeFetch({ policy: { ...this.options.policy, allowPrivate: true }, bodyTimeoutMs: 0 });
        return this.privateFetch;
      },
      authProvider: (config) => {
        const row = byName.get(config.name);
        return row ? this.authProviderOf(row) : undefined;
      },
    };
  }

  /**
   * How to connect to one of the user's servers; without `config` when it cannot be used now (`problem` says why:
   * an admin-listed server no longer listed, a program outside AUTH_MODE=none, a secret that cannot be read).
   */
  configOf(row: McpServerRow): { config?: McpServerConfig; problem?: string } {
    if (row.source === "listed") {
      const listed = this.listed.get(row.name);
      return listed ? { config: listed.config } : { problem: `server ${row.name}: your administrator no longer offers it (MCP_SERVERS_FILE); remove it in MCP servers` };
    }
    if (row.source === "stdio") {
      if (!this.programsAllowed) return { problem: `server ${row.name}: programs on the server's machine run only in AUTH_MODE=none; ask your administrator to list it in MCP_SERVERS_FILE` };
      const box = this.box;
      if (!box || !row.stdio_encrypted) return { problem: `server ${row.name}: how to run it cannot be read: SECRET_KEY is not set` };
      try {
        const program = JSON.parse(box.decrypt(row.stdio_encrypted, stdioContext(row.id))) as { command: string; args?: string[]; env?: Record<string, string> };
        return { config: { name: row.name, transport: "stdio", command: program.command, ...(program.args?.length ? { args: program.args } : {}), ...(program.env && Object.keys(program.env).length ? { env: program.env } : {}) } };
      } catch (error) {
        return { problem: `server ${row.name}: ${(error as Error).message}` };
      }
    }
    const { headers, problem } = this.headersOf(row);
    return { config: { name: row.name, transport: "http", url: row.url, ...(Object.keys(headers).length ? { headers } : {}) }, ...(problem ? { problem } : {}) };
  }

  /**
   * The user's enabled servers' tools for one answer; undefined when they have none. Connections are kept per user
   * and reused by the next answers (a server that failed is tried again each time); they close after
   * IDLE_CLOSE_MS without an answer, and are replaced when the user's servers change.
   */
  async forTurn(ownerId: string): Promise<TurnTools | undefined> {
    const rows = (await listServers(this.options.db, ownerId)).filter((r) => r.enabled === 1);
    if (rows.length === 0) {
      this.retire(ownerId);
      return undefined;
    }
    const problems: string[] = [];
    const configs = rows.flatMap((row) => {
      const { config, problem } = this.configOf(row);
      if (problem) problems.push(problem);
      return config ? [config] : [];
    });
    const key = JSON.stringify({ configs, off: rows.map((r) => [r.name, r.disabled_tools]) });
    let entry = this.pools.get(ownerId);
    if (entry && entry.key !== key) {
      this.retire(ownerId);
      entry = undefined;
    }
    if (!entry) {
      const off = new Map(rows.map((r) => [r.name, new Set(JSON.parse(r.disabled_tools) as string[])]));
      const toolset = new Toolset(configs, {
        ...this.connectionOptions(rows),
        filter: (server, tool) => !off.get(server)?.has(tool.name),
        ...(this.options.callTimeoutMs ? { callTimeoutMs: this.options.callTimeoutMs } : {}),
      });
      entry = { key, toolset, users: 0, idle: undefined };
      this.pools.set(ownerId, entry);
    }
    const pooled = entry;
    pooled.users++;
    clearTimeout(pooled.idle);
    await pooled.toolset.connectAll();
    let released = false;
    return {
      executor: pooled.toolset,
      // Servers that failed, for this answer; tools the model cannot take are listed in the MCP dialog instead.
      notices: [...problems, ...pooled.toolset.failures.map((f) => f.message)],
      close: async () => {
        if (released) return;
        released = true;
        pooled.users--;
        if (pooled.users === 0) pooled.idle = setTimeout(() => this.retire(ownerId, pooled), IDLE_CLOSE_MS).unref();
      },
    };
  }

  /** The user's servers changed: their pooled connections close (now, or when the answers using them end). */
  invalidate(ownerId: string): void {
    this.retire(ownerId);
  }

  /**
   * Ends the user's sign-in to a server (Disconnect, removing the server, changing its client): their pooled
   * connections close first, so none rotates the tokens meanwhile, then the tokens are taken and revoked where the
   * server offers that (McpOAuth.disconnect). Tokens forgotten but not revoked are logged.
   */
  async endSignIn(server: Pick<McpServerRow, "id" | "owner_id">, log: { warn: (o: object, m?: string) => void }): Promise<McpDisconnectReply> {
    this.invalidate(server.owner_id);
    const outcome = await this.oauth.disconnect(this.box, server);
    if (outcome.revocation === "failed") log.warn({ serverId: server.id, problem: outcome.problem }, "MCP OAuth tokens forgotten but not revoked");
    return outcome;
  }

  private retire(ownerId: string, only?: PooledTools): void {
    const entry = this.pools.get(ownerId);
    if (!entry || (only && entry !== only)) return;
    this.pools.delete(ownerId);
    clearTimeout(entry.idle);
    // Answers still using it keep their tools until they end; the connections close once nobody uses them.
    const closeWhenFree = () => (entry.users === 0 ? void entry.toolset.close().catch(() => undefined) : setTimeout(closeWhenFree, 1000).unref());
    closeWhenFree();
  }

  /** Server shutdown: every pooled connection closes. */
  async closeAll(): Promise<void> {
    const entries = [...this.pools.values()];
    this.pools.clear();
    for (const entry of entries) clearTimeout(entry.idle);
    await Promise.all(entries.map((e) => e.toolset.close().catch(() => undefined)));
    await this.fetch.close();
    await this.privateFetch?.close();
  }

  private readonly pools = new Map<string, PooledTools>();
}
