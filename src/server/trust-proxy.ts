import type { FastifyServerOptions } from "fastify";

/** The proxies in front of the app: how many there are (hop count), or their address ranges. */
export type TrustedProxies = number | string[];

/**
 * Fastify's `trustProxy` for the proxies in front of the app, so that `request.ip` (rate limits, logs) is the address
 * the nearest trusted proxy saw, never one a client wrote into X-Forwarded-For.
 *
 * - A hop count N trusts the connecting peer and the N-1 rightmost X-Forwarded-For entries: the client is the Nth
 *   address from the right. (Fastify itself reads a plain number as "trust nothing", hence the function.)
 * - Address ranges trust a peer or entry only when it is in them, read from the right.
 * - Nothing set: X-Forwarded-For is ignored.
 */
export function trustProxyOption(proxies: TrustedProxies | undefined): NonNullable<FastifyServerOptions["trustProxy"]> {
  if (proxies === undefined) return false;
  if (typeof proxies === "number") return (_address: string, hop: number) => hop < proxies;
  return [...proxies];
}
