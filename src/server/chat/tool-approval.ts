import type { ToolCallContext, ToolExecutor } from "../../engine/tools.js";
import type { ToolResultPart } from "../../engine/types.js";
import type { GenerationEvent, ToolDecision } from "../../shared/generation-events.js";
import type { Db } from "../../store/db.js";
import { listServers } from "../../store/mcp-servers.js";
import { listToolPermissions, type ToolPermission } from "../../store/tool-permissions.js";

/** What a tool call is, to the user and to the rules: its server and MCP name, and whether it says it only reads. */
export interface ToolIdentity {
  server: string;
  tool: string;
  readOnly?: boolean;
}

/** The user's servers and decisions, as the rules need them. */
export interface ApprovalSettings {
  /** By server name: its id and whether its tools ask before running (on by default). */
  servers: ReadonlyMap<string, { id: string; askBeforeRunning: boolean }>;
  /** By server id, then MCP tool name. */
  permissions: ReadonlyMap<string, ReadonlyMap<string, ToolPermission>>;
}

/**
 * Whether a call must wait for the user: a tool the user allowed always runs and one they asked to be asked about
 * always asks; otherwise a tool that declares it only reads (readOnlyHint) runs, and any other asks when its
 * server has "Ask before running tools" on. A call to a tool no server has is not asked about (it fails as such).
 */
export function needsApproval(identity: ToolIdentity | undefined, settings: ApprovalSettings): boolean {
  if (!identity) return false;
  const server = settings.servers.get(identity.server);
  if (!server) return false;
  const permission = settings.permissions.get(server.id)?.get(identity.tool);
  if (permission === "allow") return false;
  if (permission === "ask") return true;
  if (identity.readOnly) return false;
  return server.askBeforeRunning;
}

/** The result the model gets for a call the user declined. */
export function declinedResult(tool: string): Pick<ToolResultPart, "status" | "content" | "notRun"> {
  return { status: "error", content: [{ type: "text", text: `The user declined to run the tool ${tool}. Do not call it again for this request unless the user asks; answer without it or ask the user how to proceed.` }], notRun: "declined" };
}

interface Waiting {
  identity: ToolIdentity;
  serverId: string;
  settle(decision: ToolDecision | "stopped"): void;
}

export interface ToolApprovalsOptions {
  settings: ApprovalSettings;
  /** Tells the answer's listeners (and its event log, which a reload replays) that a call waits, or was decided. */
  tell(event: GenerationEvent): void;
  /** Remembers "Always allow" for the user (server id, MCP tool name). */
  remember(serverId: string, tool: string): Promise<void>;
}

/**
 * The permission step of one answer's tool calls, in the web chat: a call that needs approval waits at its step
 * (told as `tool_approval`) until the user decides (`decide`, from any instance through the relay) or the answer
 * is stopped; "Always allow" is remembered and also lets the answer's other waiting calls of the same tool run.
 */
export class ToolApprovals {
  private readonly waiting = new Map<string, Waiting>();
  /** Tools allowed during this answer ("Always allow"), by server id and tool. */
  private readonly allowedNow = new Set<string>();

  constructor(private readonly options: ToolApprovalsOptions) {}

  /** The executor the engine gets: the same tools, each call asked about first when the rules say so. */
  wrap(inner: ToolExecutor & { readOnly?(name: string): boolean }): ToolExecutor {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const approvals = this;
    const wrapped: ToolExecutor = {
      get specs() {
        return inner.specs;
      },
      ...(inner.describe ? { describe: (name: string) => inner.describe!(name) } : {}),
      async call(name: string, input: unknown, signal?: AbortSignal, call?: ToolCallContext): Promise<Pick<ToolResultPart, "status" | "content" | "notRun">> {
        const described = inner.describe?.(name);
        const identity = described && { ...described, readOnly: inner.readOnly?.(name) === true };
        if (call && identity && approvals.mustAsk(identity)) {
          const decision = await approvals.ask(call.toolUseId, identity, signal);
          if (decision === "stopped") return { status: "error", content: [{ type: "text", text: `The call of ${identity.tool} was stopped before it ran.` }], notRun: "stopped" };
          if (decision === "deny") return declinedResult(identity.tool);
          call.running?.();
        }
        return inner.call(name, input, signal, call);
      },
    };
    return wrapped;
  }

  /** Settles a waiting call; false when no call of that id waits (already decided, or not this answer's). */
  decide(toolUseId: string, decision: ToolDecision): boolean {
    const waiting = this.waiting.get(toolUseId);
    if (!waiting) return false;
    waiting.settle(decision);
    if (decision === "always") {
      const key = keyOf(waiting.serverId, waiting.identity.tool);
      this.allowedNow.add(key);
      void this.options.remember(waiting.serverId, waiting.identity.tool).catch(() => undefined);
      for (const [id, other] of [...this.waiting]) if (id !== toolUseId && keyOf(other.serverId, other.identity.tool) === key) other.settle("allow");
    }
    return true;
  }

  /** Calls waiting now (their toolUseIds). */
  get pending(): string[] {
    return [...this.waiting.keys()];
  }

  private mustAsk(identity: ToolIdentity): boolean {
    const server = this.options.settings.servers.get(identity.server);
    if (server && this.allowedNow.has(keyOf(server.id, identity.tool))) return false;
    return needsApproval(identity, this.options.settings);
  }

  private ask(toolUseId: string, identity: ToolIdentity, signal: AbortSignal | undefined): Promise<ToolDecision | "stopped"> {
    const serverId = this.options.settings.servers.get(identity.server)!.id;
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve("stopped");
      const onAbort = () => settle("stopped");
      const settle = (decision: ToolDecision | "stopped") => {
        if (!this.waiting.delete(toolUseId)) return;
        signal?.removeEventListener("abort", onAbort);
        if (decision !== "stopped") this.options.tell({ type: "tool_approval_end", toolUseId, decision });
        resolve(decision);
      };
      this.waiting.set(toolUseId, { identity, serverId, settle });
      signal?.addEventListener("abort", onAbort, { once: true });
      this.options.tell({ type: "tool_approval", toolUseId, server: identity.server, tool: identity.tool });
    });
  }
}

const keyOf = (serverId: string, tool: string) => `${serverId}\u0000${tool}`;

/** The user's servers and tool decisions, read once when an answer starts. */
export async function loadApprovalSettings(db: Db, ownerId: string): Promise<ApprovalSettings> {
  const [rows, permissions] = await Promise.all([listServers(db, ownerId), listToolPermissions(db, ownerId)]);
  return { servers: new Map(rows.map((row) => [row.name, { id: row.id, askBeforeRunning: row.ask_before_running === 1 }])), permissions };
}
