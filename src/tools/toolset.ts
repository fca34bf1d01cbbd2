import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import type { ToolExecutor } from "../engine/tools.js";
import type { ToolResultPart, ToolSpec } from "../engine/types.js";
import { DEFAULT_CALL_TIMEOUT_MS, McpConnection, McpSignInRequiredError, type ConnectionOptions, type McpServerConfig, type TransportKind } from "./connection.js";
import { mapToolNames, type ToolNames, type ToolRef } from "./names.js";
import { describeCallError, errorResult, errorText, toToolResult, type ResultOptions } from "./results.js";
import { toBedrockSchema, type SchemaOptions } from "./schema.js";

/**
 * The tools of several MCP servers as one ToolExecutor for the engine: `specs` sorted by Bedrock name (the same
 * bytes every turn while the servers' tools stay the same), `call` maps the name back and calls the right server.
 * A server that fails to connect or list gives no tools and a failure ("server X: reason") to show as a notice;
 * a tool whose schema Bedrock would refuse is left out and listed in `unavailable` with the reason.
 */

export interface ToolsetOptions extends Omit<ConnectionOptions, "onToolsChanged"> {
  /** Tool results: text cap (default 100,000 characters), whether the model takes images, most images per result. */
  results?: ResultOptions;
  schema?: SchemaOptions;
  /** Offer only the tools this accepts (a user's switched-off tools, say); default all. */
  filter?: (server: string, tool: Tool) => boolean;
  /** Called when a server's tool list changed (the next `specs` read has the new list). */
  onChange?: () => void;
}

export interface ServerFailure {
  server: string;
  /** "server X: reason", ready to show. */
  message: string;
}

export interface UnavailableTool {
  server: string;
  tool: string;
  reason: string;
}

export interface ServerStatus {
  server: string;
  /** `needs_sign_in`: an OAuth-protected server whose tokens are missing or can no longer be refreshed. */
  state: "connected" | "failed" | "needs_sign_in" | "idle";
  transport?: TransportKind;
  tools: number;
  error?: string;
}

interface Offered {
  spec: ToolSpec;
  ref: ToolRef;
}

export class Toolset implements ToolExecutor {
  private readonly connections = new Map<string, McpConnection>();
  private readonly failed = new Map<string, string>();
  /** Servers among `failed` that failed for want of an OAuth sign-in. */
  private readonly signIn = new Set<string>();
  private built: { specs: ToolSpec[]; names: ToolNames; unavailable: UnavailableTool[] } | undefined;
  /** Name tables of earlier tool lists, so a call from a turn that began before a list change still resolves. */
  private previous: ToolNames[] = [];

  /** Connects to every server at once; never throws for a server that fails (see `failures`). */
  static async connect(servers: readonly McpServerConfig[], options: ToolsetOptions = {}): Promise<Toolset> {
    const toolset = new Toolset(servers, options);
    await toolset.connectAll();
    return toolset;
  }

  constructor(
    servers: readonly McpServerConfig[],
    private readonly options: ToolsetOptions = {},
  ) {
    for (const server of servers) {
      if (this.connections.has(server.name)) throw new Error(`two MCP servers are named "${server.name}"; give each its own name`);
      this.connections.set(server.name, new McpConnection(server, { ...options, onToolsChanged: () => this.changed() }));
    }
  }

  /** Connects the servers that are not connected (again, for those that failed before). */
  async connectAll(): Promise<void> {
    await Promise.all(
      [...this.connections.values()]
        .filter((c) => !c.connected)
        .map(async (connection) => {
          try {
            await connection.connect();
            this.failed.delete(connection.name);
            this.signIn.delete(connection.name);
          } catch (error) {
            this.failed.set(connection.name, errorText(error));
            if (error instanceof McpSignInRequiredError) this.signIn.add(connection.name);
            else this.signIn.delete(connection.name);
          }
          this.changed();
        }),
    );
  }

  get specs(): readonly ToolSpec[] {
    return this.build().specs;
  }

  /** Servers that could not be connected or listed, with words for a notice. */
  get failures(): readonly ServerFailure[] {
    return [...this.failed].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([server, reason]) => ({ server, message: `server ${server}: ${reason}` }));
  }

  /** Tools left out because Bedrock could not take them. */
  get unavailable(): readonly UnavailableTool[] {
    return this.build().unavailable;
  }

  /** What to tell the user: failed servers, then unavailable tools. */
  notices(): string[] {
    return [...this.failures.map((f) => f.message), ...this.unavailable.map((u) => `server ${u.server}: tool ${u.tool} is not offered to the model: ${u.reason}`)];
  }

  status(): ServerStatus[] {
    return [...this.connections.values()].map((c) => {
      const error = this.failed.get(c.name);
      return {
        server: c.name,
        state: c.connected ? "connected" : error !== undefined ? (this.signIn.has(c.name) ? "needs_sign_in" : "failed") : "idle",
        ...(c.transportKind ? { transport: c.transportKind } : {}),
        tools: this.build().specs.filter((s) => this.lookup(s.name)?.server === c.name).length,
        ...(error !== undefined ? { error } : {}),
      };
    });
  }

  /** The server and MCP tool name behind a Bedrock tool name. */
  lookup(name: string): ToolRef | undefined {
    const current = this.build().names.fromBedrock(name);
    if (current) return current;
    for (const names of this.previous) {
      const ref = names.fromBedrock(name);
      if (ref) return ref;
    }
    return undefined;
  }

  /** The engine's question (ToolExecutor.describe): the server and MCP tool behind a Bedrock name, shown on the step and recorded. */
  describe(name: string): ToolRef | undefined {
    const ref = this.lookup(name);
    return ref ? { server: ref.server, tool: ref.tool } : undefined;
  }

  /** The Bedrock name of a server's tool (undefined when it is not offered). */
  bedrockName(server: string, tool: string): string | undefined {
    return this.build().names.toBedrock(server, tool);
  }

  async call(name: string, input: unknown, signal?: AbortSignal): Promise<Pick<ToolResultPart, "status" | "content">> {
    const ref = this.lookup(name);
    const connection = ref && this.connections.get(ref.server);
    if (!ref || !connection) return errorResult(`There is no tool named ${name}.`);
    if (input !== undefined && input !== null && (typeof input !== "object" || Array.isArray(input))) {
      return errorResult(`The input of ${ref.tool} must be a JSON object.`);
    }
    const timeoutMs = this.options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
    try {
      const result = await connection.callTool(ref.tool, (input ?? {}) as Record<string, unknown>, { ...(signal ? { signal } : {}), timeoutMs });
      return toToolResult(result, this.options.results);
    } catch (error) {
      if (signal?.aborted) return errorResult(`The call of ${ref.tool} (server ${ref.server}) was stopped.`);
      return errorResult(describeCallError(error, { tool: ref.tool, server: ref.server, timeoutMs }));
    }
  }

  /** Whether the tool behind a Bedrock name declares it only reads (MCP's readOnlyHint): a hint from the server, for whether to ask first. */
  readOnly(name: string): boolean {
    const ref = this.lookup(name);
    const tool = ref && this.connections.get(ref.server)?.tools.find((t) => t.name === ref.tool);
    return tool?.annotations?.readOnlyHint === true;
  }

  async close(): Promise<void> {
    await Promise.all([...this.connections.values()].map((c) => c.close()));
  }

  private changed(): void {
    if (this.built) {
      this.previous = [this.built.names, ...this.previous].slice(0, 2);
      this.built = undefined;
    }
    this.options.onChange?.();
  }

  private build(): NonNullable<Toolset["built"]> {
    if (this.built) return this.built;
    const offered: Offered[] = [];
    const unavailable: UnavailableTool[] = [];
    for (const connection of this.connections.values()) {
      if (!connection.connected && this.failed.has(connection.name)) continue;
      const seen = new Set<string>();
      for (const tool of connection.tools) {
        if (seen.has(tool.name)) continue;
        seen.add(tool.name);
        if (this.options.filter && !this.options.filter(connection.name, tool)) continue;
        const refuse = (reason: string) => unavailable.push({ server: connection.name, tool: tool.name, reason });
        if (tool.execution?.taskSupport === "required") {
          refuse("it runs only as a long-running task, which this app does not support");
          continue;
        }
        const schema = toBedrockSchema(tool.inputSchema, this.options.schema);
        if (!schema.ok) {
          refuse(schema.reason);
          continue;
        }
        const description = [tool.description, tool.title, tool.annotations?.title].find((d): d is string => typeof d === "string" && d.trim() !== "");
        offered.push({ ref: { server: connection.name, tool: tool.name }, spec: { name: "", ...(description ? { description } : {}), inputSchema: schema.schema } });
      }
    }
    const names = mapToolNames(offered.map((o) => o.ref));
    const specs = offered.map((o) => ({ ...o.spec, name: names.toBedrock(o.ref.server, o.ref.tool)! })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    unavailable.sort((a, b) => (a.server < b.server ? -1 : a.server > b.server ? 1 : a.tool < b.tool ? -1 : a.tool > b.tool ? 1 : 0));
    this.built = { specs, names, unavailable };
    return this.built;
  }
}
