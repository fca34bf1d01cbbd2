import { NodeHttpHandler } from "@smithy/node-http-handler";

/** Sockets per region when BEDROCK_MAX_SOCKETS is not set: one per answer in flight, so 1,000 concurrent answers. */
export const DEFAULT_MAX_SOCKETS = 1000;

export interface ConnectionOptions {
  /** Most sockets open to one region's endpoint at once (default: BEDROCK_MAX_SOCKETS, else 1,000). */
  maxSockets?: number;
  /** Certificates to trust instead of the system's (tests: the emulator's self-signed certificate). */
  ca?: string | Buffer;
}

/**
 * The HTTP handler of a region's runtime client: HTTP/1.1 with a keep-alive pool, so an answer after the first reuses
 * a warm connection. The SDK's default HTTP/2 handler opens an isolated session, a new TCP and TLS handshake, for
 * every event stream (each ConverseStream), whatever it is configured with; pooling HTTP/2 would take a handler of
 * our own, while this is the SDK's own HTTP/1.1 handler, which ConverseStream (a response-only event stream) works
 * over. An HTTP/1.1 socket carries one answer at a time, so the pool needs as many sockets as answers in flight: the
 * SDK's default of 50 would queue the 51st.
 *
 * Timeouts: 10 s to get a connection, waiting for a free socket included (then a TimeoutError, which the SDK retries
 * like other network errors). A socket silent for 5 minutes during an answer ends it with a TimeoutError, the limit
 * the default handler's isolated sessions had; a long reasoning pause is far shorter. Idle pooled sockets close when
 * the server says so (Keep-Alive hint) or closes them; a request that meets a socket closed under it is retried.
 */
export function createRequestHandler(options: ConnectionOptions = {}): NodeHttpHandler {
  const agent = { keepAlive: true, maxSockets: options.maxSockets ?? maxSocketsFromEnv(), scheduling: "lifo" as const };
  return new NodeHttpHandler({
    httpAgent: agent,
    httpsAgent: { ...agent, ...(options.ca ? { ca: options.ca } : {}) },
    connectionTimeout: 10_000,
    socketTimeout: 300_000,
  });
}

/** BEDROCK_MAX_SOCKETS: a positive whole number; anything else is refused with the variable's name. */
export function maxSocketsFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env["BEDROCK_MAX_SOCKETS"]?.trim();
  if (!raw) return DEFAULT_MAX_SOCKETS;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`BEDROCK_MAX_SOCKETS must be a whole number of at least 1 (sockets per region), got "${raw}".`);
  return value;
}
