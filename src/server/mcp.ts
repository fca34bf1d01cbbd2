import type { AuthMode } from "../auth/mode.js";
import type { ToolExecutor } from "../engine/tools.js";
import type { AddressPolicy } from "../net/address-policy.js";
import { createSafeFetch, type SafeFetch } from "../net/safe-fetch.js";
import type { SecretBox, SecretKeys } from "../secrets/secret-box.js";
import type { McpServerConfig } from "../tools/connection.js";
import { Toolset } from "../tools/toolset.js";
import type { Db } from "../store/db.js";
import { listServers, type McpServerRow } from "../store/mcp-servers.js";

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

  /** Connects the user's enabled servers for one answer; undefined when they have none. */
  async forTurn(ownerId: string): Promise<TurnTools | undefined> {
    const rows = (await listServers(this.options.db, ownerId)).filter((r) => r.enabled === 1);
    if (rows.length === 0) return undefined;
    const problems: string[] = [];
    const configs = rows.map((row) => {
      const { config, problem } = this.configOf(row);
      if (problem) problems.push(problem);
      return config;
    });
    const off = new Map(rows.map((r) => [r.name, new Set(JSON.parse(r.disabled_tools) as string[])]));
    const toolset = await Toolset.connect(configs, {
      fetch: this.fetch,
      filter: (server, tool) => !off.get(server)?.has(tool.name),
      ...(this.options.callTimeoutMs ? { callTimeoutMs: this.options.callTimeoutMs } : {}),
    });
    return { executor: toolset, notices: [...problems, ...toolset.notices()], close: () => toolset.close() };
  }
}
