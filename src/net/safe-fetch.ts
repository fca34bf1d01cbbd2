import { Agent, fetch as undiciFetch, type BodyInit as UndiciBodyInit, type RequestInit as UndiciRequestInit } from "undici";
import { decide, type AddressPolicy } from "./address-policy.js";
import { formatBytes, limitBody, ResponseTooLargeError } from "./body-limit.js";
import { AddressRefusedError, guardedConnector, systemResolver, type Resolver } from "./guarded-connect.js";

export interface SafeFetchOptions {
  readonly policy: AddressPolicy;
  /** Resolves host names; the system resolver unless given (tests inject one). */
  readonly lookup?: Resolver;
  /** Redirects followed per request before giving up (with `redirect: "follow"`, the default). Default 5. */
  readonly maxRedirects?: number;
  /** Largest response body; for `text/event-stream`, largest event. Default 16 MiB. */
  readonly maxBodyBytes?: number;
  /** Request headers dropped when a redirect leaves the origin, besides Authorization, Cookie and Proxy-Authorization. */
  readonly sensitiveHeaders?: readonly string[];
  readonly connectTimeoutMs?: number;
  /** undici's wait for response headers, ms (default 300 s). */
  readonly headersTimeoutMs?: number;
  /** undici's longest silence inside a body, ms (default 300 s); 0 for none (long-lived event streams). */
  readonly bodyTimeoutMs?: number;
}

export type FetchInput = string | URL | Request;

/** A `fetch` (what the MCP SDK's transports and OAuth helpers take as `fetch` / `fetchFn`) bound to one guarded dispatcher. */
export interface SafeFetch {
  (input: FetchInput, init?: RequestInit): Promise<Response>;
  readonly dispatcher: Agent;
  /** Closes the dispatcher's connections. */
  close(): Promise<void>;
}

export const DEFAULT_MAX_REDIRECTS = 5;
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);
const BODY_HEADERS = ["content-encoding", "content-language", "content-location", "content-type", "content-length"];
const CREDENTIAL_HEADERS = ["authorization", "cookie", "proxy-authorization"];

/**
 * Outgoing HTTP for MCP (issue 11): undici's fetch over an Agent whose connector checks every address it connects to with the
 * policy (IP literals directly, names through `guardedLookup`, which connects only to the addresses it checked). Redirects are
 * followed here, one checked hop at a time (the request goes out with `redirect: "manual"`), at most `maxRedirects`; credentials
 * are dropped when a redirect leaves the origin; bodies are capped. `redirect: "manual"` from the caller returns the 3xx as is
 * (Location readable), `"error"` refuses it.
 */
export function createSafeFetch(options: SafeFetchOptions): SafeFetch {
  const { policy } = options;
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const dropOnCrossOrigin = [...CREDENTIAL_HEADERS, ...(options.sensitiveHeaders ?? []).map((name) => name.toLowerCase())];
  const dispatcher = new Agent({
    connect: guardedConnector({
      policy,
      resolver: options.lookup ?? systemResolver,
      ...(options.connectTimeoutMs === undefined ? {} : { timeoutMs: options.connectTimeoutMs }),
    }),
    ...(options.headersTimeoutMs === undefined ? {} : { headersTimeout: options.headersTimeoutMs }),
    ...(options.bodyTimeoutMs === undefined ? {} : { bodyTimeout: options.bodyTimeoutMs }),
  });

  const safeFetch = async (input: FetchInput, init: RequestInit = {}): Promise<Response> => {
    let request = requestParts(input, init);
    for (let redirects = 0; ; redirects++) {
      checkUrl(request.url, policy);
      const response = await send(request, dispatcher);
      const location = response.headers.get("location");
      if (!REDIRECT_STATUSES.has(response.status) || location === null || request.redirect === "manual") {
        return wrapResponse(response, request.url, redirects > 0, maxBodyBytes);
      }
      await response.body?.cancel();
      const target = new URL(location, request.url);
      if (request.redirect === "error") throw new TypeError(`refused: ${request.url.href} redirects to ${target.href}, and this request does not follow redirects`);
      if (redirects >= maxRedirects) throw new TypeError(`refused: more than ${maxRedirects} redirects, the last from ${request.url.href} to ${target.href}`);
      request = redirected(request, response.status, target, dropOnCrossOrigin);
    }
  };
  return Object.assign(safeFetch, { dispatcher, close: () => dispatcher.close() });
}

interface RequestParts {
  readonly url: URL;
  readonly method: string;
  readonly headers: Headers;
  readonly body: BodyInit | null;
  readonly redirect: RequestRedirect;
  readonly signal: AbortSignal | null;
  /** The other RequestInit members (keepalive, cache, ...), passed on as given. */
  readonly rest: Omit<RequestInit, "method" | "headers" | "body" | "redirect" | "signal">;
}

function requestParts(input: FetchInput, init: RequestInit): RequestParts {
  const { method, headers, body, redirect, signal, ...rest } = init;
  const base = input instanceof Request ? input : undefined;
  return {
    url: new URL(base ? base.url : input.toString()),
    method: (method ?? base?.method ?? "GET").toUpperCase(),
    headers: new Headers(headers ?? base?.headers),
    body: body !== undefined ? body : (base?.body ?? null),
    redirect: redirect ?? base?.redirect ?? "follow",
    signal: signal !== undefined ? signal : (base?.signal ?? null),
    rest,
  };
}

/** Only http(s); an IP-literal host is checked here before anything is opened (the connector checks it again). */
function checkUrl(url: URL, policy: AddressPolicy): void {
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new TypeError(`refused: ${url.protocol} URLs are not fetched (${url.href}); use http or https`);
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const decision = decide(host, policy);
  if (decision.address && !decision.allowed) throw new AddressRefusedError(host, decision);
}

async function send(request: RequestParts, dispatcher: Agent) {
  const streamed = isStream(request.body);
  const init: UndiciRequestInit = {
    ...(request.rest as UndiciRequestInit),
    method: request.method,
    headers: headerPairs(request.headers),
    body: request.body as UndiciBodyInit | null,
    redirect: "manual",
    signal: request.signal,
    dispatcher,
    ...(streamed ? { duplex: "half" as const } : {}),
  };
  try {
    return await undiciFetch(request.url, init);
  } catch (error) {
    throw refusalIn(error) ?? error;
  }
}

/** undici reports connect errors as TypeError("fetch failed", { cause }); a refusal is more useful raised as itself. */
function refusalIn(error: unknown, depth = 0): AddressRefusedError | undefined {
  if (error instanceof AddressRefusedError) return error;
  if (depth > 4 || !(error instanceof Error)) return undefined;
  const nested = error instanceof AggregateError ? (error.errors as unknown[]) : [];
  for (const candidate of [error.cause, ...nested]) {
    const found = refusalIn(candidate, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** The next hop per the fetch standard's HTTP-redirect fetch: 303 (and 301/302 after POST) become GET without a body. */
function redirected(request: RequestParts, status: number, target: URL, dropOnCrossOrigin: readonly string[]): RequestParts {
  const headers = new Headers(request.headers);
  const toGet = (status === 303 && request.method !== "GET" && request.method !== "HEAD") || ((status === 301 || status === 302) && request.method === "POST");
  if (!toGet && request.body !== null && isStream(request.body)) {
    throw new TypeError(`refused: ${request.url.href} answered ${status} to ${target.href}, and a streamed request body cannot be sent again`);
  }
  if (toGet) for (const name of BODY_HEADERS) headers.delete(name);
  if (target.origin !== request.url.origin) for (const name of dropOnCrossOrigin) headers.delete(name);
  return { ...request, url: target, headers, method: toGet ? "GET" : request.method, body: toGet ? null : request.body };
}

function headerPairs(headers: Headers): [string, string][] {
  const pairs: [string, string][] = [];
  headers.forEach((value, name) => pairs.push([name, value]));
  return pairs;
}

function isStream(body: BodyInit | null): boolean {
  return body instanceof ReadableStream || (typeof body === "object" && body !== null && Symbol.asyncIterator in body);
}

/** A standard (global) Response over the capped body, with the final URL and whether a redirect led there. */
function wrapResponse(response: Awaited<ReturnType<typeof undiciFetch>>, url: URL, wasRedirected: boolean, maxBodyBytes: number): Response {
  const eventStream = (response.headers.get("content-type") ?? "").toLowerCase().startsWith("text/event-stream");
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (!eventStream && declared > maxBodyBytes) {
    void response.body?.cancel();
    throw new ResponseTooLargeError(url.href, maxBodyBytes, `the response body (${formatBytes(declared)})`);
  }
  const source = response.body as ReadableStream<Uint8Array> | null;
  const body = source && !NULL_BODY_STATUSES.has(response.status) ? limitBody(source, { limitBytes: maxBodyBytes, eventStream, url: url.href }) : null;
  const wrapped = new Response(body, { status: response.status, statusText: response.statusText, headers: [...response.headers] });
  Object.defineProperty(wrapped, "url", { value: url.href });
  Object.defineProperty(wrapped, "redirected", { value: wasRedirected });
  return wrapped;
}
