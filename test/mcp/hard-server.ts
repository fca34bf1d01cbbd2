import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { solidPng } from "../fixtures/png.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { SSEServerTransport } from "@modelcontextprotocol/sdk/server/sse.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { ListToolsRequestSchema, type Tool } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";

/**
 * A small MCP server of our own for the hard cases, built with the SDK's McpServer: a tool that throws, one that
 * hangs until cancelled, one that returns an image, one with a long awkward name and a schema Bedrock dislikes
 * ($schema, definitions + $ref, a nullable union, `required: {}` deeper down), one that returns 2 MB of text, tools
 * whose schema cannot be offered at all, and one that adds a tool (so the server sends tools/list_changed).
 * tools/list is served in pages of PAGE_SIZE, so clients must follow `nextCursor`.
 *
 * Run over stdio: `tsx test/mcp/stdio-main.ts`; over HTTP in-process: `startHardHttpServer()`.
 */

export const AWKWARD_NAME = "weather.forecast/for the next 7 days: hourly + daily breakdowns (beta) — über-detailed édition";
export const BIG_TEXT_CHARS = 2_000_000;
export const PAGE_SIZE = 4;

/** What the server got: tool name and arguments, in order (for "the server got the original name"). */
export interface CallLog {
  calls: { name: string; args: unknown }[];
  cancelled: string[];
}

/** A 2×2 red PNG. */
export function tinyPng(): Buffer {
  return solidPng(2, 2, [255, 0, 0]);
}

/** The raw JSON Schemas advertised for some tools (instead of what zod would give). */
const RAW_SCHEMAS: Record<string, Record<string, unknown>> = {
  [AWKWARD_NAME]: {
    $schema: "http://json-schema.org/draft-07/schema#",
    title: "Forecast input",
    type: "object",
    definitions: { City: { type: "string", description: "A city name", minLength: 1 } },
    properties: {
      city: { $ref: "#/definitions/City" },
      days: { anyOf: [{ type: "integer", minimum: 1, maximum: 7 }, { type: "null" }], description: "How many days" },
      units: { type: ["string", "null"], enum: ["metric", "imperial", null] },
      options: { type: "object", properties: { hourly: { type: "boolean" } }, required: {} },
    },
    required: ["city"],
  },
  "string-input": { type: "string" },
  "union-input": { anyOf: [{ type: "string" }, { type: "number" }] },
};

export function createHardServer(log: CallLog = { calls: [], cancelled: [] }): McpServer {
  const server = new McpServer({ name: "hard-cases", version: "1.0.0" });
  const record = (name: string, args: unknown) => log.calls.push({ name, args });
  const registered = new Set<string>();

  server.registerTool("add", { description: "Adds two numbers", inputSchema: { a: z.number(), b: z.number() } }, async ({ a, b }) => {
    record("add", { a, b });
    return { content: [{ type: "text", text: String(a + b) }] };
  });
  server.registerTool("echo", { description: "Echoes the message", inputSchema: { message: z.string() } }, async ({ message }) => {
    record("echo", { message });
    return { content: [{ type: "text", text: message }] };
  });
  server.registerTool("fail", { description: "Always throws" }, async () => {
    record("fail", {});
    throw new Error("the database is on fire");
  });
  server.registerTool("hang", { description: "Never answers (until cancelled)" }, async (extra) => {
    record("hang", {});
    await new Promise<void>((resolve) => extra.signal.addEventListener("abort", () => resolve(), { once: true }));
    log.cancelled.push("hang");
    return { content: [{ type: "text", text: "cancelled" }] };
  });
  server.registerTool("slow", { description: "Answers after ms milliseconds", inputSchema: { ms: z.number(), label: z.string() } }, async ({ ms, label }) => {
    record("slow", { ms, label });
    await new Promise((resolve) => setTimeout(resolve, ms));
    return { content: [{ type: "text", text: `done ${label}` }] };
  });
  server.registerTool("image", { description: "Returns a small PNG" }, async () => {
    record("image", {});
    return { content: [{ type: "text", text: "Here is the image:" }, { type: "image", data: tinyPng().toString("base64"), mimeType: "image/png" }] };
  });
  server.registerTool("big-text", { description: "Returns 2 MB of text" }, async () => {
    record("big-text", {});
    const line = "All work and no play makes Jack a dull boy. ";
    return { content: [{ type: "text", text: line.repeat(Math.ceil(BIG_TEXT_CHARS / line.length)).slice(0, BIG_TEXT_CHARS) }] };
  });
  server.registerTool("structured", { description: "Returns structured content", outputSchema: { temperature: z.number(), conditions: z.string() } }, async () => {
    record("structured", {});
    const structuredContent = { temperature: 21.5, conditions: "sunny" };
    return { content: [{ type: "text", text: JSON.stringify(structuredContent) }], structuredContent };
  });
  // The SDK warns (console.warn) about names outside the MCP naming rule; this one breaks it on purpose.
  const warn = console.warn;
  console.warn = () => undefined;
  server.registerTool(
    AWKWARD_NAME,
    { description: "Forecast for a city", inputSchema: { city: z.string(), days: z.number().nullable().optional(), units: z.string().nullable().optional(), options: z.object({ hourly: z.boolean().optional() }).optional() } },
    async (args) => {
      record(AWKWARD_NAME, args);
      return { content: [{ type: "text", text: `Sunny in ${args.city}` }] };
    },
  );
  console.warn = warn;
  server.registerTool("string-input", { description: "Takes a bare string (Bedrock cannot)" }, async () => ({ content: [{ type: "text", text: "never" }] }));
  server.registerTool("union-input", { description: "Takes a string or a number" }, async () => ({ content: [{ type: "text", text: "never" }] }));
  server.registerTool("add-tool", { description: "Adds a tool named 'late' (the server then sends tools/list_changed)" }, async () => {
    record("add-tool", {});
    if (!registered.has("late")) {
      registered.add("late");
      server.registerTool("late", { description: "A tool added while connected" }, async () => ({ content: [{ type: "text", text: "late tool ran" }] }));
    }
    return { content: [{ type: "text", text: "added" }] };
  });

  // tools/list in pages, with the raw schemas above.
  const zodList = (server.server as unknown as { _requestHandlers: Map<string, (req: unknown, extra: unknown) => Promise<{ tools: Tool[] }>> })._requestHandlers.get("tools/list")!;
  server.server.setRequestHandler(ListToolsRequestSchema, async (request, extra) => {
    const { tools } = await zodList({ method: "tools/list", params: {} }, extra);
    const all = tools.map((t) => (RAW_SCHEMAS[t.name] ? { ...t, inputSchema: RAW_SCHEMAS[t.name] as Tool["inputSchema"] } : t));
    const start = Number(request.params?.cursor ?? 0);
    const page = all.slice(start, start + PAGE_SIZE);
    return { tools: page, ...(start + PAGE_SIZE < all.length ? { nextCursor: String(start + PAGE_SIZE) } : {}) };
  });
  return server;
}

export interface HardHttpServer {
  url: string;
  port: number;
  log: CallLog;
  /** Requests seen, as "METHOD path" (to check which transport a client used). */
  requests: string[];
  /** Stops the HTTP server and forgets every session (as a restart does). */
  stop(): Promise<void>;
  /** Listens again on the same port with no sessions (a restarted server). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The hard-case server over HTTP on 127.0.0.1: Streamable HTTP at /mcp (stateful, unknown session → 404), or with
 * `legacy: true` only the old HTTP+SSE transport (GET /mcp opens the stream, POST /messages; POST /mcp → 405).
 */
export async function startHardHttpServer(options: { legacy?: boolean; port?: number } = {}): Promise<HardHttpServer> {
  const log: CallLog = { calls: [], cancelled: [] };
  const requests: string[] = [];
  let sessions = new Map<string, StreamableHTTPServerTransport>();
  let legacy = new Map<string, SSEServerTransport>();
  let http: HttpServer | undefined;
  let port = options.port ?? 0;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
    requests.push(`${req.method} ${path}`);
    try {
      if (options.legacy) {
        if (req.method === "GET" && path === "/mcp") {
          const transport = new SSEServerTransport("/messages", res);
          legacy.set(transport.sessionId, transport);
          res.on("close", () => legacy.delete(transport.sessionId));
          await createHardServer(log).connect(transport);
          return;
        }
        if (req.method === "POST" && path === "/messages") {
          const id = new URL(req.url ?? "/", "http://127.0.0.1").searchParams.get("sessionId") ?? "";
          const transport = legacy.get(id);
          if (!transport) return void res.writeHead(404).end("unknown session");
          await transport.handlePostMessage(req, res);
          return;
        }
        return void res.writeHead(405, { allow: "GET" }).end("Method Not Allowed");
      }
      if (path !== "/mcp") return void res.writeHead(404).end();
      const id = req.headers["mcp-session-id"];
      if (typeof id === "string") {
        const transport = sessions.get(id);
        if (!transport) return void res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ jsonrpc: "2.0", error: { code: -32001, message: "Session not found" }, id: null }));
        await transport.handleRequest(req, res);
        return;
      }
      if (req.method !== "POST") return void res.writeHead(400).end("No session");
      const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (sid) => void sessions.set(sid, transport),
        onsessionclosed: (sid) => void sessions.delete(sid),
      });
      await createHardServer(log).connect(transport);
      await transport.handleRequest(req, res);
    } catch (error) {
      if (!res.headersSent) res.writeHead(500).end(String(error));
    }
  };

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      http = createServer((req, res) => void handle(req, res));
      http.once("error", reject);
      http.listen(port, "127.0.0.1", () => {
        port = (http!.address() as AddressInfo).port;
        resolve();
      });
    });
  const stop = async () => {
    const all = [...sessions.values(), ...legacy.values()];
    sessions = new Map();
    legacy = new Map();
    await Promise.all(all.map((t) => t.close().catch(() => undefined)));
    if (http) {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http!.close(() => resolve()));
      http = undefined;
    }
  };
  await listen();
  return {
    get url() {
      return `http://127.0.0.1:${port}/mcp`;
    },
    get port() {
      return port;
    },
    log,
    requests,
    stop,
    restart: async () => {
      await stop();
      await listen();
    },
    close: stop,
  };
}
