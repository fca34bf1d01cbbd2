import { randomBytes, randomUUID } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import type { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { encodeEvent, encodeException } from "./eventstream.js";
import { BedrockFault } from "./faults.js";
import type { ResolvedModelId } from "./models.js";
import { PromptCache, type CacheEntry } from "./cache.js";
import { selfSignedCertificate } from "./certificate.js";
import { listen } from "./transport.js";
import { defaultScript, signatureFor, splitText, withComputedUsage, type Script, type ScriptBlock } from "./script.js";
import { estimateInputTokens, resolveModelId, validateRequest } from "./validate.js";

type Json = Record<string, unknown>;

export interface RecordedRequest {
  operation: "converse" | "converse-stream";
  modelId: string;
  /** Region from the SigV4 credential scope: the region of the client that sent it. */
  region: string;
  body: Json;
  headers: Record<string, string | string[] | undefined>;
  status: number;
  /** Whether the whole answer was sent; false when the client went away first. */
  completed: boolean;
}

export interface BedrockEmulator {
  /** http://127.0.0.1:PORT (https:// with `tls`), for AWS_ENDPOINT_URL_BEDROCK_RUNTIME. */
  url: string;
  /** With `tls`: the self-signed certificate (PEM) a client must trust, e.g. as its agent's `ca`. */
  ca?: string;
  readonly requests: RecordedRequest[];
  enqueue(...scripts: Script[]): void;
  /** Answer AccessDeniedException for this base model id, as when model access is not enabled. */
  deny(baseModelId: string): void;
  /** Moves the emulator's clock (the prompt cache's TTLs) forward by this many ms. */
  advanceClock(ms: number): void;
  /** The prompt cache: its live entries, and a way to empty it. */
  readonly cache: { entries(): CacheEntry[]; clear(): void };
  /** Clears requests, scripts, denials and the prompt cache, and sets the clock back to `now`. */
  reset(): void;
  close(): Promise<void>;
}

/**
 * A Bedrock Runtime emulator speaking the real wire protocol, over HTTP/2 (the SDK's default handler) and HTTP/1.1
 * on one port: cleartext (h2c with prior knowledge, or HTTP/1.1), or with `tls` over TLS (ALPN h2 or http/1.1).
 */
export interface EmulatorOptions {
  port?: number;
  /** Serve over TLS with a self-signed certificate for 127.0.0.1 (see `ca`), instead of cleartext. */
  tls?: boolean;
  /** Answer used when no script is queued (default: echo the last user message). */
  fallback?: Script;
  /** Skip the context-window check (benchmarks that send very long histories on purpose). */
  unlimitedContext?: boolean;
  /** The clock the prompt cache's TTLs run on, in ms (default Date.now); advanceClock adds to it. */
  now?: () => number;
}

export async function startBedrockEmulator(options: EmulatorOptions = {}): Promise<BedrockEmulator> {
  const requests: RecordedRequest[] = [];
  let queue: Script[] = [];
  const denied = new Set<string>();
  let clockOffset = 0;
  const cache = new PromptCache(() => (options.now ?? Date.now)() + clockOffset);

  const onRequest = (req: Request, res: Response) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendFault(res, new BedrockFault("InternalServerException", 500, String(error)));
      else res.end();
    });
  };
  const certificate = options.tls ? selfSignedCertificate() : undefined;
  const server = await listen(onRequest, { port: options.port, certificate });

  async function handle(req: Request, res: Response): Promise<void> {
    const match = /^\/model\/([^/]+)\/(converse|converse-stream)$/.exec((req.url ?? "").split("?")[0] ?? "");
    if (req.method !== "POST" || !match) {
      res.writeHead(404, { "content-type": "application/json", "x-amzn-errortype": "UnknownOperationException" });
      res.end(JSON.stringify({ Output: { __type: "com.amazon.coral.service#UnknownOperationException" }, Version: "1.0" }));
      return;
    }
    const modelId = decodeURIComponent(match[1]!);
    const operation = match[2] as RecordedRequest["operation"];
    const text = await readBody(req);
    const auth = String(req.headers["authorization"] ?? "");
    const region = /Credential=[^/]+\/\d{8}\/([^/]+)\/bedrock\/aws4_request/.exec(auth)?.[1] ?? "";
    let body: Json = {};
    const record: RecordedRequest = { operation, modelId, region, body, headers: { ...req.headers }, status: 200, completed: false };
    requests.push(record);
    try {
      if (!auth) throw new BedrockFault("MissingAuthenticationTokenException", 403, "Missing Authentication Token");
      try {
        body = JSON.parse(text) as Json;
        record.body = body;
      } catch {
        throw new BedrockFault("SerializationException", 400, "Unexpected token in JSON body: the request body is not valid JSON.");
      }
      const resolved = resolveModelId(modelId, region);
      if (denied.has(resolved.baseId)) throw new BedrockFault("AccessDeniedException", 403, "You don't have access to the model with the specified model ID.");
      validateRequest(body, resolved, { checkContext: !options.unlimitedContext });
      const scripted = takeScript(modelId) ?? options.fallback ?? defaultScript(body, resolved);
      if (scripted.firstByteDelayMs) await sleep(scripted.firstByteDelayMs);
      if (scripted.error) throw Object.assign(new BedrockFault(scripted.error.type, scripted.error.status, scripted.error.message), { body: scripted.error.body });
      // The model read the prompt: the cache is read and written even if the client goes away during the answer.
      const script = withComputedUsage(scripted, cache.use(body, resolved));
      if (operation === "converse") {
        sendConverse(res, body, resolved, script);
        record.completed = true;
      } else {
        record.completed = await sendStream(res, body, resolved, script);
      }
    } catch (error) {
      if (!(error instanceof BedrockFault)) throw error;
      record.status = error.status;
      sendFault(res, error);
    }
  }

  function takeScript(modelId: string): Script | undefined {
    const index = queue.findIndex((s) => s.modelId === undefined || s.modelId === modelId);
    return index < 0 ? undefined : queue.splice(index, 1)[0];
  }

  return {
    url: `${certificate ? "https" : "http"}://127.0.0.1:${server.port}`,
    ...(certificate ? { ca: certificate.cert } : {}),
    requests,
    enqueue: (...scripts) => void queue.push(...scripts),
    deny: (id) => void denied.add(id),
    advanceClock: (ms) => void (clockOffset += ms),
    cache: { entries: () => cache.entries(), clear: () => cache.clear() },
    reset: () => {
      requests.length = 0;
      queue = [];
      denied.clear();
      cache.clear();
      clockOffset = 0;
    },
    close: () => server.close(),
  };
}

/** What the emulator reads of a request: common to HTTP/1.1's IncomingMessage and HTTP/2's Http2ServerRequest. */
type Request = Readable & { readonly url?: string | undefined; readonly method?: string | undefined; readonly headers: IncomingHttpHeaders };

/**
 * What it uses of a response: common to HTTP/1.1's ServerResponse and HTTP/2's compatibility Http2ServerResponse
 * (no `res.stream` on HTTP/1.1: a client that went away shows as `close` before the end).
 */
interface Response {
  readonly headersSent: boolean;
  readonly writableEnded: boolean;
  writeHead(status: number, headers: Record<string, string>): unknown;
  write(chunk: Uint8Array | string): boolean;
  end(chunk?: Uint8Array | string): unknown;
  once(event: "close", listener: () => void): unknown;
}

function readBody(req: Readable): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function sendFault(res: Response, fault: BedrockFault & { body?: unknown }): void {
  res.writeHead(fault.status, {
    "content-type": "application/json",
    "x-amzn-errortype": `${fault.type}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
    "x-amzn-requestid": randomUUID(),
  });
  res.end(JSON.stringify(fault.body ?? { message: fault.message }));
}

function usageFor(body: Json, blocks: ScriptBlock[], script: Script) {
  const outputChars = blocks.reduce((n, b) => n + ("text" in b ? b.text.length : "reasoning" in b ? b.reasoning.length : 20), 0);
  const usage = script.usage ?? {};
  const inputTokens = usage.inputTokens ?? estimateInputTokens(body);
  const outputTokens = usage.outputTokens ?? Math.max(1, Math.ceil(outputChars / 4));
  const cached = (usage.cacheReadInputTokens ?? 0) + (usage.cacheWriteInputTokens ?? 0);
  return {
    inputTokens,
    outputTokens,
    // totalTokens includes the cache tokens (reference bedrock-prompt-caching.md section 3, reported).
    totalTokens: inputTokens + cached + outputTokens,
    ...(usage.cacheReadInputTokens !== undefined ? { cacheReadInputTokens: usage.cacheReadInputTokens } : {}),
    ...(usage.cacheWriteInputTokens !== undefined ? { cacheWriteInputTokens: usage.cacheWriteInputTokens } : {}),
    ...(usage.cacheDetails !== undefined ? { cacheDetails: usage.cacheDetails } : {}),
  };
}

const toolUseId = (block: { id?: string }) => block.id ?? `tooluse_${randomBytes(16).toString("base64url").slice(0, 22)}`;
const stopReasonFor = (blocks: ScriptBlock[], script: Script) => script.stopReason ?? (blocks.some((b) => "toolUse" in b) ? "tool_use" : "end_turn");

function sendConverse(res: Response, body: Json, resolved: ResolvedModelId, script: Script): void {
  const blocks = script.blocks ?? [];
  const content = blocks.map((block) => {
    if ("text" in block) return { text: block.text };
    if ("reasoning" in block) {
      const signature = signatureFor(block, resolved);
      return { reasoningContent: { reasoningText: { text: block.reasoning, ...(signature ? { signature } : {}) } } };
    }
    if ("redacted" in block) return { reasoningContent: { redactedContent: block.redacted } };
    return { toolUse: { toolUseId: toolUseId(block.toolUse), name: block.toolUse.name, input: block.toolUse.input } };
  });
  res.writeHead(200, { "content-type": "application/json", "x-amzn-requestid": randomUUID() });
  res.end(
    JSON.stringify({
      output: { message: { role: "assistant", content } },
      stopReason: stopReasonFor(blocks, script),
      usage: usageFor(body, blocks, script),
      metrics: { latencyMs: 5 },
    }),
  );
}

/** Streams the scripted answer; false when the client closed the stream before the end. */
async function sendStream(res: Response, body: Json, resolved: ResolvedModelId, script: Script): Promise<boolean> {
  const blocks = script.blocks ?? [];
  let gone = false;
  res.once("close", () => (gone = true));
  res.writeHead(200, { "content-type": "application/vnd.amazon.eventstream", "x-amzn-requestid": randomUUID() });
  let first = true;
  let deltas = 0;
  const send = async (frame: Uint8Array, isDelta = false): Promise<boolean> => {
    if (!first && script.delayMs) await sleep(script.delayMs);
    first = false;
    if (gone || res.writableEnded) return false;
    if (isDelta && script.streamException && deltas === script.streamException.afterDeltas) {
      const { type, message } = script.streamException;
      res.end(encodeException(type, { message }));
      return false;
    }
    if (isDelta) deltas++;
    res.write(frame);
    return true;
  };
  const delta = (index: number, d: Json) => send(encodeEvent("contentBlockDelta", { contentBlockIndex: index, delta: d }), true);
  const stop = (index: number) => send(encodeEvent("contentBlockStop", { contentBlockIndex: index }));

  if (!(await send(encodeEvent("messageStart", { role: "assistant" })))) return false;
  for (const [index, block] of blocks.entries()) {
    if ("text" in block) {
      for (const piece of splitText(block.text, script.deltas)) if (!(await delta(index, { text: piece }))) return false;
    } else if ("reasoning" in block) {
      for (const piece of splitText(block.reasoning, script.deltas)) if (!(await delta(index, { reasoningContent: { text: piece } }))) return false;
      const signature = signatureFor(block, resolved);
      if (signature && !(await delta(index, { reasoningContent: { signature } }))) return false;
    } else if ("redacted" in block) {
      if (!(await delta(index, { reasoningContent: { redactedContent: block.redacted } }))) return false;
    } else {
      const start = { toolUse: { toolUseId: toolUseId(block.toolUse), name: block.toolUse.name } };
      if (!(await send(encodeEvent("contentBlockStart", { contentBlockIndex: index, start })))) return false;
      for (const piece of splitText(JSON.stringify(block.toolUse.input), 3)) if (!(await delta(index, { toolUse: { input: piece } }))) return false;
    }
    if (!(await stop(index))) return false;
  }
  if (!(await send(encodeEvent("messageStop", { stopReason: stopReasonFor(blocks, script) })))) return false;
  if (!(await send(encodeEvent("metadata", { usage: usageFor(body, blocks, script), metrics: { latencyMs: 5 } })))) return false;
  res.end();
  return true;
}
