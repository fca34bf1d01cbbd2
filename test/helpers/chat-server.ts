import type { FastifyInstance } from "fastify";
import { createParser, type EventSourceMessage } from "eventsource-parser";
import { BUNDLED_CONFIG_PATH, loadConfig, parseConfigText } from "../../src/config/load.js";
import type { GenerationManager } from "../../src/server/chat/generations.js";
import { buildApp, type AppOptions } from "../../src/server/app.js";
import type { RouteTable } from "../../src/server/route-table.js";
import { BedrockProvider } from "../../src/providers/bedrock/provider.js";
import { openDatabase, type Db } from "../../src/store/db.js";

export interface ChatServer {
  app: FastifyInstance & { generations: GenerationManager; setupToken: string | undefined; routeTable: RouteTable };
  url: string;
  db: Db;
  provider: BedrockProvider;
  api<T = any>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: T; headers: Headers }>;
  close(): Promise<void>;
}

/** The real server on 127.0.0.1 with an in-memory database, talking to the Bedrock emulator. */
export async function startChatServer(options: Partial<AppOptions> & { configPatch?: Record<string, unknown>; database?: string; port?: number } = {}): Promise<ChatServer> {
  const base = loadConfig(BUNDLED_CONFIG_PATH).config;
  const config = options.configPatch
    ? parseConfigText(JSON.stringify({ ...JSON.parse((await import("node:fs")).readFileSync(BUNDLED_CONFIG_PATH, "utf8")), ...options.configPatch }), "config.json").config
    : base;
  const db = await openDatabase(options.database ?? ":memory:");
  const provider = new BedrockProvider();
  const origins: string[] = [];
  const { configPatch: _ignored, database: _location, port: _port, ...rest } = options;
  const app = await buildApp({ config, db, provider, origins, logLevel: "silent", flushMs: 50, titleGeneration: "off", shutdownGraceMs: 300, ...rest });
  await app.listen({ port: options.port ?? 0, host: "127.0.0.1" });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  origins.push(url);
  return {
    app,
    url,
    db,
    provider,
    async api(method, path, body, headers = {}) {
      const res = await fetch(url + path, {
        redirect: "manual",
        method,
        // As the web app sends them: state-changing requests need both (CSRF protection).
        headers: { ...(body !== undefined ? { "content-type": "application/json" } : {}), origin: url, "x-requested-with": "fetch", ...headers },
        ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      const result = { status: res.status, body: text && res.headers.get("content-type")?.includes("json") ? JSON.parse(text) : text || undefined };
      // Not enumerable: tests compare {status, body} whole.
      return Object.defineProperty(result, "headers", { value: res.headers, enumerable: false }) as typeof result & { headers: Headers };
    },
    async close() {
      await app.close();
      await db.destroy();
      provider.clients.destroy();
    },
  };
}

export interface SseEvent {
  id: string | undefined;
  event: string | undefined;
  data: any;
  at: number;
}

/**
 * Reads a generation's SSE stream until it ends, or until `stopAfter` events (then disconnects, as a browser
 * tab that closes would).
 */
export async function readEvents(url: string, options: { lastEventId?: number; stopAfter?: number; timeoutMs?: number; headers?: Record<string, string> } = {}): Promise<{ status: number; events: SseEvent[] }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs ?? 15_000);
  const events: SseEvent[] = [];
  let res: Response;
  try {
    res = await fetch(url, { headers: { ...options.headers, ...(options.lastEventId !== undefined ? { "last-event-id": String(options.lastEventId) } : {}) }, signal: controller.signal });
  } catch (error) {
    clearTimeout(timer);
    // The time ran out before the stream even opened (a loaded machine): no events yet, as for a stream that sent none.
    if (controller.signal.aborted) return { status: 0, events };
    throw error;
  }
  if (res.status !== 200 || !res.body) {
    clearTimeout(timer);
    return { status: res.status, events };
  }
  const parser = createParser({
    onEvent: (message: EventSourceMessage) => events.push({ id: message.id, event: message.event, data: JSON.parse(message.data), at: Date.now() }),
  });
  const decoder = new TextDecoder();
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      parser.feed(decoder.decode(chunk, { stream: true }));
      if (options.stopAfter !== undefined && events.length >= options.stopAfter) {
        controller.abort();
        break;
      }
    }
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  } finally {
    clearTimeout(timer);
  }
  return { status: res.status, events };
}

export const textOf = (events: SseEvent[]) => events.filter((e) => e.event === "text").map((e) => e.data.delta).join("");
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until the predicate holds (bounded). */
export async function waitFor<T>(probe: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms: ${JSON.stringify(value).slice(0, 500)}`);
    await sleep(25);
  }
}

/** A signed-in browser, as far as the API sees it: the session cookie on every request. */
export interface Session {
  cookie: string;
  api: ChatServer["api"];
}

/** The session cookie (name=value) from a response's Set-Cookie. */
export function sessionCookie(headers: Headers): string {
  const found = headers.getSetCookie().find((c) => /^(__Host-)?chat_session=[^;]/.test(c));
  if (!found) throw new Error(`no session cookie in ${JSON.stringify(headers.getSetCookie())}`);
  return found.split(";")[0]!;
}

/** Signs in with a password (local mode) and returns an API bound to that session. */
export async function signIn(server: ChatServer, email: string, password: string): Promise<Session> {
  const res = await server.api("POST", "/auth/login", { email, password });
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${JSON.stringify(res.body)}`);
  return asSession(server, sessionCookie(res.headers));
}

export function asSession(server: ChatServer, cookie: string): Session {
  return { cookie, api: (method, path, body, headers = {}) => server.api(method, path, body, { cookie, ...headers }) };
}
