import type { Readable } from "node:stream";
import { UnauthorizedError, type OAuthClientProvider } from "@modelcontextprotocol/sdk/client/auth.js";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport, StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { InvalidClientError, InvalidGrantError, UnauthorizedClientError } from "@modelcontextprotocol/sdk/server/auth/errors.js";
import type { FetchLike, Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { ErrorCode, McpError, ToolListChangedNotificationSchema, type CallToolResult, type Implementation, type Tool } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { errorText, seconds } from "./results.js";

/**
 * One MCP server connection (reference/mcp.md 1 and 6): Streamable HTTP with the legacy SSE transport as fallback
 * (only on 400, 404 or 405, never on 401/403, so auth errors are not hidden), or stdio; the tool list read page by
 * page and refreshed on `notifications/tools/list_changed`; calls with a timeout and a Stop signal; a dropped
 * connection reopened on the next call, and a call refused because the server forgot the session (it restarted)
 * retried once on a new connection. An OAuth-protected server gets the `authProvider` the caller has for it: the
 * SDK then sends its token and refreshes it after a 401; when only a new sign-in helps, McpSignInRequiredError.
 */

export type McpServerConfig =
  | { name: string; transport: "http"; url: string; headers?: Record<string, string> }
  | { name: string; transport: "stdio"; command: string; args?: string[]; env?: Record<string, string>; cwd?: string };

export type TransportKind = "streamable-http" | "sse" | "stdio";

export const DEFAULT_CALL_TIMEOUT_MS = 60_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;
const CLIENT_INFO: Implementation = { name: "foundational-llm-chat", version: "0.1.0" };
/** tools/list as sent: a tool needs a name; the rest is checked where it is used. */
const LENIENT_TOOL_LIST = z.looseObject({ tools: z.array(z.looseObject({ name: z.unknown() })), nextCursor: z.string().optional() });
const LENIENT_CALL_RESULT = z.looseObject({});
/** Pages of tools/list read at most (a server that keeps sending cursors is cut off here). */
const MAX_PAGES = 100;
/** How much of a stdio server's stderr is kept to explain a failure. */
const STDERR_TAIL = 2000;

export interface ConnectionOptions {
  /** fetch for the HTTP transports (every request, the SSE GET included); default the global fetch. */
  fetch?: FetchLike;
  /** A server's own fetch, when it differs (an admin-listed server allowed on a private network); default `fetch`. */
  fetchFor?: (config: McpServerConfig) => FetchLike;
  /** Time allowed to connect and list tools; default 15 s. */
  connectTimeoutMs?: number;
  /** Default time allowed for one tool call; default 60 s. */
  callTimeoutMs?: number;
  /** Wait this long after a list_changed notification before listing again (servers send them in bursts); default 100 ms. */
  listChangedDebounceMs?: number;
  clientInfo?: Implementation;
  /** Called with the new list after the server's tools changed (list_changed, or a reconnect that lists new tools). */
  onToolsChanged?: (tools: readonly Tool[]) => void;
  /** The OAuth provider for an HTTP server (its tokens, refresh and sign-in state); none: no OAuth. */
  authProvider?: (config: McpServerConfig) => OAuthClientProvider | undefined;
}

export interface CallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** A failure to connect, list or call, with words for a person ("server X: ..." is added by the caller). */
export class McpConnectionError extends Error {
  override readonly name: string = "McpConnectionError";
}

/** The server wants OAuth and the stored tokens cannot be used or refreshed: the user has to sign in (again). */
export class McpSignInRequiredError extends McpConnectionError {
  override readonly name: string = "McpSignInRequiredError";
  constructor(message = "it asks you to sign in: open MCP servers and choose Sign in") {
    super(message);
  }
}

/** Whether an error of the SDK's auth machinery means that only a new sign-in helps. */
export function needsSignIn(error: unknown): boolean {
  return error instanceof McpSignInRequiredError || error instanceof UnauthorizedError || error instanceof InvalidGrantError || error instanceof InvalidClientError || error instanceof UnauthorizedClientError;
}

interface Session {
  client: Client;
  transport: Transport;
  kind: TransportKind;
  dropped: boolean;
}

export class McpConnection {
  readonly name: string;
  private current: Session | undefined;
  private opening: Promise<Session> | undefined;
  private listed: readonly Tool[] = [];
  private closed = false;
  private refreshTimer: NodeJS.Timeout | undefined;
  private stderrTail = "";

  constructor(
    readonly config: McpServerConfig,
    private readonly options: ConnectionOptions = {},
  ) {
    this.name = config.name;
  }

  /** The tools as last listed. */
  get tools(): readonly Tool[] {
    return this.listed;
  }

  /** How the open connection talks to the server (undefined while not connected). */
  get transportKind(): TransportKind | undefined {
    return this.current && !this.current.dropped ? this.current.kind : undefined;
  }

  get connected(): boolean {
    return !!this.current && !this.current.dropped;
  }

  /** Connects (if not connected) and lists the tools. */
  async connect(): Promise<readonly Tool[]> {
    await this.session();
    return this.listed;
  }

  /** Lists the tools again (all pages). */
  async refresh(): Promise<readonly Tool[]> {
    const session = await this.session();
    return this.updateTools(await this.listAll(session));
  }

  async callTool(name: string, args: Record<string, unknown>, options: CallOptions = {}): Promise<CallToolResult> {
    const { signal } = options;
    signal?.throwIfAborted();
    const timeout = options.timeoutMs ?? this.options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
    // One controller per call, so the SDK's abort listener (never removed) is not added to a long-lived signal.
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      const session = await untilAborted(this.session(), controller.signal);
      try {
        return await this.call(session, name, args, timeout, controller.signal);
      } catch (error) {
        if (!controller.signal.aborted && this.options.authProvider && needsSignIn(error)) throw new McpSignInRequiredError();
        if (controller.signal.aborted || !sessionGone(error, session)) throw error;
        // The server no longer knows the session (it restarted) or the connection went away before the request got
        // there: one new connection, one retry.
        this.drop(session);
        const fresh = await untilAborted(this.session(), controller.signal);
        return await this.call(fresh, name, args, timeout, controller.signal);
      }
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.refreshTimer);
    const session = this.current ?? (await this.opening?.catch(() => undefined));
    this.current = undefined;
    if (session) await closeSession(session);
  }

  private async call(session: Session, name: string, args: Record<string, unknown>, timeout: number, signal: AbortSignal): Promise<CallToolResult> {
    // Not client.callTool: its strict result schema fails a whole result over one block of a kind it does not know,
    // and its outputSchema check throws away a result the model could still use. results.ts reads any JSON safely.
    return (await session.client.request({ method: "tools/call", params: { name, arguments: args } }, LENIENT_CALL_RESULT, { timeout, signal })) as CallToolResult;
  }

  /** The open session, or a new one (one opening at a time). */
  private session(): Promise<Session> {
    if (this.closed) return Promise.reject(new McpConnectionError("the connection is closed"));
    if (this.current && !this.current.dropped) return Promise.resolve(this.current);
    this.opening ??= this.open().finally(() => (this.opening = undefined));
    return this.opening;
  }

  private drop(session: Session): void {
    if (session.dropped) return;
    session.dropped = true;
    if (this.current === session) this.current = undefined;
    void closeSession(session);
  }

  private async open(): Promise<Session> {
    const timeoutMs = this.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    // The SDK bounds the initialize request; this bounds the rest (an SSE endpoint event that never comes) and
    // closes whatever was being opened, so a slow server leaves no process or stream behind.
    const opened: Transport[] = [];
    const starting = this.start(timeoutMs, (t) => opened.push(t));
    let session: Session;
    try {
      session = await withTimeout(starting, timeoutMs + 500, () => `no answer within ${seconds(timeoutMs)}`);
    } catch (error) {
      for (const t of opened) void t.close().catch(() => undefined);
      void starting.then(closeSession, () => undefined);
      throw error;
    }
    let tools: Tool[];
    try {
      tools = await this.listAll(session, timeoutMs);
    } catch (error) {
      await closeSession(session);
      throw new McpConnectionError(`listing its tools failed: ${errorText(error)}`);
    }
    if (this.closed) {
      await closeSession(session);
      throw new McpConnectionError("the connection is closed");
    }
    session.client.onclose = () => {
      if (!session.dropped) this.drop(session);
    };
    session.client.setNotificationHandler(ToolListChangedNotificationSchema, () => this.scheduleRefresh(session));
    this.current = session;
    this.updateTools(tools);
    return session;
  }

  private async start(timeoutMs: number, opening: (transport: Transport) => void): Promise<Session> {
    const { config } = this;
    if (config.transport === "stdio") {
      const transport = new StdioClientTransport({
        command: config.command,
        args: config.args ?? [],
        ...(config.env ? { env: config.env } : {}),
        ...(config.cwd ? { cwd: config.cwd } : {}),
        stderr: "pipe",
      });
      opening(transport);
      this.stderrTail = "";
      (transport.stderr as Readable | null)?.on("data", (chunk: Buffer) => {
        this.stderrTail = (this.stderrTail + chunk.toString("utf8")).slice(-STDERR_TAIL);
      });
      const client = this.newClient();
      try {
        await client.connect(transport, { timeout: timeoutMs });
      } catch (error) {
        await transport.close().catch(() => undefined);
        throw new McpConnectionError(this.stdioFailure(error));
      }
      return { client, transport, kind: "stdio", dropped: false };
    }

    let url: URL;
    try {
      url = new URL(config.url);
    } catch {
      throw new McpConnectionError(`"${config.url}" is not a URL`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new McpConnectionError(`"${config.url}" is not an http:// or https:// URL`);
    const baseFetch = this.options.fetchFor?.(config) ?? this.options.fetch ?? ((input, init) => fetch(input, init));
    const requestInit: RequestInit = config.headers ? { headers: config.headers } : {};
    const authProvider = this.options.authProvider?.(config);
    const auth = authProvider ? { authProvider } : {};
    const streamable = new StreamableHTTPClientTransport(url, { fetch: tolerantGet(baseFetch), requestInit, ...auth });
    opening(streamable);
    const client = this.newClient();
    try {
      await client.connect(streamable, { timeout: timeoutMs });
      return { client, transport: streamable, kind: "streamable-http", dropped: false };
    } catch (error) {
      await client.close().catch(() => undefined);
      if (authProvider && needsSignIn(error)) throw new McpSignInRequiredError();
      if (!(error instanceof StreamableHTTPError && [400, 404, 405].includes(error.code ?? 0))) throw new McpConnectionError(httpFailure(error));
      // An older server: the legacy HTTP+SSE transport at the same URL (a new Client, as the SDK's example does).
      const sse = new SSEClientTransport(url, { fetch: baseFetch, requestInit, ...auth });
      opening(sse);
      const legacy = this.newClient();
      try {
        await legacy.connect(sse, { timeout: timeoutMs });
        return { client: legacy, transport: sse, kind: "sse", dropped: false };
      } catch (sseError) {
        await legacy.close().catch(() => undefined);
        if (authProvider && needsSignIn(sseError)) throw new McpSignInRequiredError();
        throw new McpConnectionError(`${httpFailure(error)}; the legacy SSE transport failed too: ${httpFailure(sseError)}`);
      }
    }
  }

  private newClient(): Client {
    const client = new Client(this.options.clientInfo ?? CLIENT_INFO, { capabilities: {} });
    // Errors of the background GET stream and the like surface on the next call; nothing to do here.
    client.onerror = () => undefined;
    return client;
  }

  private stdioFailure(error: unknown): string {
    const code = (error as { code?: string })?.code;
    const { config } = this;
    const command = config.transport === "stdio" ? config.command : "";
    if (code === "ENOENT") return `cannot run "${command}": no such program`;
    if (code === "EACCES") return `cannot run "${command}": permission denied`;
    const tail = this.stderrTail.trim().split("\n").filter(Boolean).slice(-3).join(" | ");
    return `${errorText(error)}${tail ? ` (its stderr: ${tail})` : ""}`;
  }

  private async listAll(session: Session, timeout = this.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS): Promise<Tool[]> {
    const tools: Tool[] = [];
    const seen = new Set<string>();
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      // Not client.listTools: its schema fails the whole list over one tool whose inputSchema is not an object,
      // which is for schema.ts to report, tool by tool.
      const result = await session.client.request({ method: "tools/list", ...(cursor !== undefined ? { params: { cursor } } : {}) }, LENIENT_TOOL_LIST, { timeout });
      for (const tool of result.tools) if (typeof tool.name === "string" && tool.name !== "") tools.push(tool as Tool);
      cursor = result.nextCursor;
      if (cursor === undefined || cursor === "" || seen.has(cursor)) break;
      seen.add(cursor);
    }
    return tools;
  }

  private scheduleRefresh(session: Session): void {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => {
      if (session.dropped || this.closed) return;
      this.listAll(session).then(
        (tools) => {
          if (!session.dropped && !this.closed) this.updateTools(tools);
        },
        () => undefined, // the old list stays; the next call reports what is wrong
      );
    }, this.options.listChangedDebounceMs ?? 100);
    this.refreshTimer.unref();
  }

  private updateTools(tools: Tool[]): readonly Tool[] {
    const before = JSON.stringify(this.listed);
    this.listed = tools;
    if (JSON.stringify(tools) !== before) this.options.onToolsChanged?.(tools);
    return tools;
  }
}

/** Whether a failed call never reached a live session, so a new connection and one retry are safe. */
function sessionGone(error: unknown, session: Session): boolean {
  if (session.dropped) return true;
  if (error instanceof McpError && error.code === ErrorCode.ConnectionClosed) return true;
  if (error instanceof StreamableHTTPError) {
    // 404: the session is unknown (the spec); 400: what some servers (server-everything) answer for an unknown session.
    return error.code === 404 || (error.code === 400 && (session.transport as StreamableHTTPClientTransport).sessionId !== undefined);
  }
  const text = `${(error as Error)?.message ?? ""} ${String((error as { cause?: { code?: string } })?.cause?.code ?? "")}`;
  return /ECONNREFUSED|ECONNRESET|UND_ERR_SOCKET|other side closed|Not connected/.test(text);
}

async function closeSession(session: Session): Promise<void> {
  session.dropped = true;
  if (session.transport instanceof StreamableHTTPClientTransport) {
    // close() only aborts; a DELETE ends the session on the server (405 is fine). A server that is gone is not waited for.
    await withTimeout(session.transport.terminateSession(), 1000, () => "").catch(() => undefined);
  }
  await session.client.close().catch(() => undefined);
}

/**
 * The SDK gives up on a connection whose optional GET event stream answers 404 or 406 (reference/mcp.md 6); such a
 * server simply has no stream, which is what 405 says.
 */
function tolerantGet(base: FetchLike): FetchLike {
  return async (url, init) => {
    const response = await base(url, init);
    if ((init?.method ?? "GET").toUpperCase() === "GET" && (response.status === 404 || response.status === 406)) {
      await response.body?.cancel().catch(() => undefined);
      return new Response(null, { status: 405, statusText: "Method Not Allowed" });
    }
    return response;
  };
}

function httpFailure(error: unknown): string {
  if (error instanceof StreamableHTTPError || (error as { name?: string })?.name === "SseError") {
    const code = (error as { code?: number }).code;
    const message = errorText(error).replace(/^Streamable HTTP error: /, "").replace(/^SSE error: /, "");
    if (code === 401) return `the server asks for sign-in (HTTP 401)${message ? `: ${message}` : ""}`;
    if (code === 403) return `the server refused access (HTTP 403)${message ? `: ${message}` : ""}`;
    return code && code > 0 && !message.includes(String(code)) ? `HTTP ${code}: ${message}` : message;
  }
  return errorText(error);
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new McpConnectionError(message())), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
