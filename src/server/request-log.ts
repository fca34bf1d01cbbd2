import type { IncomingHttpHeaders } from "node:http";

export const REDACTED = "[redacted]";

/**
 * The URL with every query value replaced by "[redacted]", keys kept (`/api/threads?q=[redacted]`): query strings
 * carry search terms, sign-in codes and setup tokens, none of which belong in logs.
 */
export function redactQuery(url: string): string {
  const start = url.indexOf("?");
  if (start === -1) return url;
  return `${url.slice(0, start)}?${url.slice(start + 1).split("&").map(redactParameter).join("&")}`;
}

/** `key=value` as `key=[redacted]`; a key that does not look like a parameter name is redacted too. */
function redactParameter(parameter: string): string {
  if (parameter === "") return parameter;
  const equals = parameter.indexOf("=");
  const key = equals === -1 ? parameter : parameter.slice(0, equals);
  return `${/^[\w.[\]-]{1,64}$/.test(key) ? key : REDACTED}=${REDACTED}`;
}

/** What a request log line says about the request (Fastify passes its request; the raw one has no `ip`). */
interface LoggedRequest {
  method?: string | undefined;
  url?: string | undefined;
  headers: IncomingHttpHeaders;
  ip?: string;
  socket?: { remoteAddress?: string | undefined; remotePort?: number | undefined } | null;
}

/** Fastify's request serializer with the query values redacted and the Host header that the guard checked. */
export function serializeRequest(request: LoggedRequest): { method?: string; url?: string; host?: string; remoteAddress?: string; remotePort?: number } {
  const remoteAddress = request.ip ?? request.socket?.remoteAddress;
  const remotePort = request.socket?.remotePort;
  // Keys without a value are left out (as pino would print nothing for them).
  return {
    ...(request.method !== undefined ? { method: request.method } : {}),
    ...(request.url !== undefined ? { url: redactQuery(request.url) } : {}),
    ...(request.headers.host !== undefined ? { host: request.headers.host } : {}),
    ...(remoteAddress !== undefined ? { remoteAddress } : {}),
    ...(remotePort !== undefined ? { remotePort } : {}),
  };
}
