import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { AgentFault, checkClientToken, checkDescription, checkIdentifier, checkMaxResults, checkName, checkVariants, checkVersion } from "./validate.js";

type Json = Record<string, unknown>;

export type AgentOperation = "CreatePrompt" | "GetPrompt" | "UpdatePrompt" | "ListPrompts" | "CreatePromptVersion" | "DeletePrompt";

export interface AgentRequest {
  operation: AgentOperation | "Unknown";
  method: string;
  /** The path as sent (trailing slashes included). */
  path: string;
  query: Record<string, string>;
  body: Json | undefined;
  status: number;
}

interface StoredPrompt {
  id: string;
  name: string;
  description: string | undefined;
  defaultVariant: string | undefined;
  variants: Json[];
  createdAt: string;
  updatedAt: string;
  clientToken: string | undefined;
  /** The request the token came with (an idempotent retry must match it). */
  tokenBody: string | undefined;
  versions: { version: number; name: string; description: string | undefined; defaultVariant: string | undefined; variants: Json[]; createdAt: string; clientToken: string | undefined }[];
}

export interface AgentEmulator {
  /** http://127.0.0.1:PORT, for AWS_ENDPOINT_URL_BEDROCK_AGENT. */
  url: string;
  readonly requests: AgentRequest[];
  /** The next `times` calls of `operation` fail with this exception (Throttling, AccessDenied, Conflict, quota...). */
  fail(operation: AgentOperation, fault: { type: string; status: number; message: string }, times?: number): void;
  /** Ends every fault still injected: the service answers again. */
  heal(): void;
  /** Service quotas: prompts per account, versions per prompt (defaults 50 and 10). */
  quotas: { prompts: number; versions: number };
  /** How many prompts it holds (by name). */
  promptNames(): string[];
  reset(): void;
  close(): Promise<void>;
}

const ACCOUNT = "123456789012";
const ALPHANUMERIC = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
/** ListPrompts returns at most 10 summaries a page whatever maxResults asks (the model's constraint). */
const PAGE = 10;

/**
 * A Bedrock Agent (Prompt Management) emulator speaking restJson1 over HTTP/1.1, as @aws-sdk/client-bedrock-agent
 * does: the real paths with their trailing slashes, 201 for creations, `x-amzn-ErrorType` errors with Bedrock's
 * status codes (Conflict 409, ServiceQuotaExceeded 402), client-token idempotency, name and text rules, a single
 * variant, numbered immutable versions, and ListPrompts pages of 10 with `nextToken`.
 */
export async function startAgentEmulator(options: { port?: number } = {}): Promise<AgentEmulator> {
  const requests: AgentRequest[] = [];
  const prompts = new Map<string, StoredPrompt>();
  const faults: { operation: AgentOperation; fault: { type: string; status: number; message: string }; times: number }[] = [];
  const quotas = { prompts: 50, versions: 10 };

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => send(res, 500, { message: String(error) }, "InternalServerException"));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const text = await readBody(req);
    const record: AgentRequest = { operation: "Unknown", method: req.method ?? "", path: url.pathname, query: Object.fromEntries(url.searchParams), body: undefined, status: 200 };
    requests.push(record);
    try {
      const auth = String(req.headers["authorization"] ?? "");
      const region = /Credential=[^/]+\/\d{8}\/([^/]+)\/bedrock\/aws4_request/.exec(auth)?.[1] ?? "us-east-1";
      const route = routeOf(req.method ?? "", url.pathname);
      if (!route) throw new AgentFault("UnknownOperationException", 404, `No operation for ${req.method} ${url.pathname}`);
      record.operation = route.operation;
      if (!auth) throw new AgentFault("MissingAuthenticationTokenException", 403, "Missing Authentication Token");
      let body: Json = {};
      if (text) {
        try {
          body = JSON.parse(text) as Json;
        } catch {
          throw new AgentFault("SerializationException", 400, "The request body is not valid JSON.");
        }
      }
      record.body = body;
      const injected = faults.find((f) => f.operation === route.operation && f.times > 0);
      if (injected) {
        injected.times -= 1;
        throw new AgentFault(injected.fault.type, injected.fault.status, injected.fault.message);
      }
      const arn = (id: string, version?: number) => `arn:aws:bedrock:${region}:${ACCOUNT}:prompt/${id}${version ? `:${version}` : ""}`;
      const reply = operate(route.operation, route.identifier, url.searchParams, body, arn);
      record.status = reply.status;
      send(res, reply.status, reply.body);
    } catch (error) {
      if (!(error instanceof AgentFault)) throw error;
      record.status = error.status;
      send(res, error.status, { message: error.message }, error.type);
    }
  }

  function operate(operation: AgentOperation, identifier: string | undefined, query: URLSearchParams, body: Json, arn: (id: string, version?: number) => string): { status: number; body: Json } {
    const now = new Date().toISOString();
    const find = (raw: string) => {
      const id = checkIdentifier(raw);
      const prompt = prompts.get(id);
      if (!prompt) throw new AgentFault("ResourceNotFoundException", 404, `Prompt ${id} not found.`);
      return prompt;
    };
    switch (operation) {
      case "CreatePrompt": {
        const name = checkName(body["name"]);
        const description = checkDescription(body["description"]);
        const { variants, defaultVariant } = checkVariants(body);
        const token = checkClientToken(body["clientToken"]);
        const same = [...prompts.values()].find((p) => p.name === name);
        if (same && token && same.clientToken === token) {
          if (same.tokenBody !== canonical(body)) throw new AgentFault("ConflictException", 409, "The client token was already used with different parameters.");
          return { status: 201, body: draftJson(same, arn) };
        }
        if (same) throw new AgentFault("ConflictException", 409, `A prompt named ${name} already exists.`);
        if (prompts.size >= quotas.prompts) throw new AgentFault("ServiceQuotaExceededException", 402, `You have reached the maximum number of prompts (${quotas.prompts}) for this account.`);
        const prompt: StoredPrompt = { id: newId(), name, description, defaultVariant, variants, createdAt: now, updatedAt: now, clientToken: token, tokenBody: token ? canonical(body) : undefined, versions: [] };
        prompts.set(prompt.id, prompt);
        return { status: 201, body: draftJson(prompt, arn) };
      }
      case "GetPrompt": {
        const prompt = find(identifier!);
        const version = checkVersion(query.get("promptVersion"));
        if (version === "DRAFT") return { status: 200, body: draftJson(prompt, arn) };
        const found = prompt.versions.find((v) => v.version === version);
        if (!found) throw new AgentFault("ResourceNotFoundException", 404, `Version ${version} of prompt ${prompt.id} not found.`);
        return { status: 200, body: versionJson(prompt, found, arn) };
      }
      case "UpdatePrompt": {
        const prompt = find(identifier!);
        const name = checkName(body["name"]);
        const description = checkDescription(body["description"]);
        const { variants, defaultVariant } = checkVariants(body);
        if ([...prompts.values()].some((p) => p.name === name && p.id !== prompt.id)) throw new AgentFault("ConflictException", 409, `A prompt named ${name} already exists.`);
        Object.assign(prompt, { name, description, variants, defaultVariant, updatedAt: now });
        return { status: 200, body: draftJson(prompt, arn) };
      }
      case "CreatePromptVersion": {
        const prompt = find(identifier!);
        const description = checkDescription(body["description"]);
        const token = checkClientToken(body["clientToken"]);
        const again = token ? prompt.versions.find((v) => v.clientToken === token) : undefined;
        if (again) return { status: 201, body: versionJson(prompt, again, arn) };
        if (prompt.versions.length >= quotas.versions) throw new AgentFault("ServiceQuotaExceededException", 402, `You have reached the maximum number of versions (${quotas.versions}) for prompt ${prompt.id}.`);
        const version = { version: (prompt.versions.at(-1)?.version ?? 0) + 1, name: prompt.name, description, defaultVariant: prompt.defaultVariant, variants: structuredClone(prompt.variants), createdAt: now, clientToken: token };
        prompt.versions.push(version);
        return { status: 201, body: versionJson(prompt, version, arn) };
      }
      case "ListPrompts": {
        const max = checkMaxResults(query.get("maxResults"));
        const of = query.get("promptIdentifier");
        const all: Json[] = of
          ? (() => {
              const prompt = find(of);
              return [summary(draftJson(prompt, arn)), ...prompt.versions.map((v) => summary(versionJson(prompt, v, arn)))];
            })()
          : [...prompts.values()].map((p) => summary(draftJson(p, arn)));
        const token = query.get("nextToken");
        const start = token === null ? 0 : decodeToken(token);
        const size = Math.min(max ?? PAGE, PAGE);
        const page = all.slice(start, start + size);
        const next = start + size < all.length ? Buffer.from(JSON.stringify({ offset: start + size })).toString("base64") : undefined;
        return { status: 200, body: { promptSummaries: page, ...(next ? { nextToken: next } : {}) } };
      }
      case "DeletePrompt": {
        const prompt = find(identifier!);
        const version = query.get("promptVersion");
        if (version === null) {
          prompts.delete(prompt.id);
          return { status: 200, body: { id: prompt.id } };
        }
        if (!/^[0-9]{1,5}$/.test(version)) throw new AgentFault("ValidationException", 400, `1 validation error detected: Value '${version}' at 'promptVersion' failed to satisfy constraint: Member must satisfy regular expression pattern: ([1-9][0-9]{0,4})`);
        prompt.versions = prompt.versions.filter((v) => v.version !== Number(version));
        return { status: 200, body: { id: prompt.id, version } };
      }
    }
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    quotas,
    fail: (operation, fault, times = 1) => void faults.push({ operation, fault, times }),
    heal: () => void (faults.length = 0),
    promptNames: () => [...prompts.values()].map((p) => p.name),
    reset: () => {
      requests.length = 0;
      prompts.clear();
      faults.length = 0;
      Object.assign(quotas, { prompts: 50, versions: 10 });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function routeOf(method: string, path: string): { operation: AgentOperation; identifier?: string } | undefined {
  if (path === "/prompts/") return method === "POST" ? { operation: "CreatePrompt" } : method === "GET" ? { operation: "ListPrompts" } : undefined;
  const versions = /^\/prompts\/([^/]+)\/versions$/.exec(path);
  if (versions && method === "POST") return { operation: "CreatePromptVersion", identifier: decodeURIComponent(versions[1]!) };
  const one = /^\/prompts\/([^/]+)\/$/.exec(path);
  if (!one) return undefined;
  const identifier = decodeURIComponent(one[1]!);
  if (method === "GET") return { operation: "GetPrompt", identifier };
  if (method === "PUT") return { operation: "UpdatePrompt", identifier };
  if (method === "DELETE") return { operation: "DeletePrompt", identifier };
  return undefined;
}

function draftJson(prompt: StoredPrompt, arn: (id: string, version?: number) => string): Json {
  return {
    name: prompt.name,
    ...(prompt.description ? { description: prompt.description } : {}),
    ...(prompt.defaultVariant ? { defaultVariant: prompt.defaultVariant } : {}),
    variants: prompt.variants,
    id: prompt.id,
    arn: arn(prompt.id),
    version: "DRAFT",
    createdAt: prompt.createdAt,
    updatedAt: prompt.updatedAt,
  };
}

function versionJson(prompt: StoredPrompt, v: StoredPrompt["versions"][number], arn: (id: string, version?: number) => string): Json {
  return {
    name: v.name,
    ...(v.description ? { description: v.description } : {}),
    ...(v.defaultVariant ? { defaultVariant: v.defaultVariant } : {}),
    variants: v.variants,
    id: prompt.id,
    arn: arn(prompt.id, v.version),
    version: String(v.version),
    createdAt: v.createdAt,
    updatedAt: v.createdAt,
  };
}

function summary(prompt: Json): Json {
  const { name, description, id, arn, version, createdAt, updatedAt } = prompt;
  return { name, ...(description ? { description } : {}), id, arn, version, createdAt, updatedAt };
}

function decodeToken(token: string): number {
  if (token.length < 1 || token.length > 2048 || !/^\S*$/.test(token)) throw new AgentFault("ValidationException", 400, `1 validation error detected: Value '${token}' at 'nextToken' failed to satisfy constraint: Member must satisfy regular expression pattern: ^\\S*$`);
  try {
    const offset = (JSON.parse(Buffer.from(token, "base64").toString("utf8")) as { offset?: unknown }).offset;
    if (typeof offset === "number" && Number.isInteger(offset) && offset >= 0) return offset;
  } catch {
    // falls through
  }
  throw new AgentFault("ValidationException", 400, "The nextToken is not valid.");
}

/** The request without its token, keys sorted: what an idempotent retry must repeat. */
function canonical(body: Json): string {
  const { clientToken: _token, ...rest } = body;
  const sorted = (value: unknown): unknown =>
    Array.isArray(value) ? value.map(sorted) : value && typeof value === "object" ? Object.fromEntries(Object.keys(value).sort().map((k) => [k, sorted((value as Json)[k])])) : value;
  return JSON.stringify(sorted(rest));
}

function newId(): string {
  return [...randomBytes(10)].map((b) => ALPHANUMERIC[b % ALPHANUMERIC.length]).join("");
}

function send(res: ServerResponse, status: number, body: Json, errorType?: string): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, {
    "content-type": "application/json",
    "x-amzn-requestid": randomUUID(),
    ...(errorType ? { "x-amzn-errortype": `${errorType}:http://internal.amazon.com/coral/com.amazon.bedrock/` } : {}),
  });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
