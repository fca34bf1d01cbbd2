import type { AuthMode } from "../auth/mode.js";
import type { ToolExecutor } from "../engine/tools.js";
import type { AddressPolicy } from "../net/address-policy.js";
import { createSafeFetch, type SafeFetch } from "../net/safe-fetch.js";
import type { SecretBox, SecretKeys } from "../secrets/secret-box.js";
import type { McpServerConfig } from "../tools/connection.js";
import { Toolset } from "../tools/toolset.js";
import type { Db } from "../store/db.js";
import { listServers, type McpServerRow } from "../store/mcp-servers.js";

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

/**
 * Each user's MCP servers as tools for their answers, connected through the SSRF-safe fetch. A server that fails
 * gives no tools and a notice; the turn runs without it.
 */
export class McpTools {
  readonly fetch: SafeFetch;

  constructor(
    private readonly options: { db: Db; keys: SecretKeys; policy: AddressPolicy; callTimeoutMs?: number },
  ) {
    this.fetch = createSafeFetch({ policy: options.policy, bodyTimeoutMs: 0 });
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

  configOf(row: McpServerRow): { config: McpServerConfig; problem?: string } {
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
    const configs = rows.map((row) => {
      const { config, problem } = this.configOf(row);
      if (problem) problems.push(problem);
      return config;
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
        fetch: this.fetch,
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
  }

  private readonly pools = new Map<string, PooledTools>();
}
