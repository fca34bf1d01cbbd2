import { promises as dns } from "node:dns";
import { isIP, type LookupFunction } from "node:net";
import { buildConnector } from "undici";
import { decide, type AddressDecision, type AddressPolicy } from "./address-policy.js";

export interface ResolvedAddress {
  readonly address: string;
  readonly family: number;
}

/** Resolves a host name to all its addresses. Injectable, so tests decide what a name resolves to without DNS. */
export type Resolver = (hostname: string) => Promise<readonly ResolvedAddress[]>;

/** The operating system's resolver (getaddrinfo, as Node's own connections use), every address, in its order. */
export const systemResolver: Resolver = (hostname) => dns.lookup(hostname, { all: true, verbatim: true });

/**
 * The guard refused a destination. A TypeError, as fetch's network errors are, so callers that handle "fetch failed" handle
 * it; its message is the reason in words ("refused: 10.0.0.5 is a private address; set MCP_ALLOW_PRIVATE_NETWORKS=1 ...").
 */
export class AddressRefusedError extends TypeError {
  override readonly name = "AddressRefusedError";
  readonly code = "ERR_ADDRESS_REFUSED";
  constructor(
    /** The host of the URL: a name or an IP literal. */
    readonly host: string,
    readonly decision: Extract<AddressDecision, { allowed: false }>,
  ) {
    super(decision.reason);
  }
}

/**
 * Checks every address a name resolved to and returns them all, or throws for the first refused one: a name that resolves to
 * a public and a private address is refused whole, since the connection could go to either.
 */
export function checkResolved(hostname: string, addresses: readonly ResolvedAddress[], policy: AddressPolicy): ResolvedAddress[] {
  if (addresses.length === 0) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND", hostname });
  return addresses.map(({ address }) => {
    const family = isIP(address);
    const decision: AddressDecision =
      family === 0
        ? { allowed: false, address: undefined, reason: `refused: ${hostname} resolves to ${JSON.stringify(address)}, which is not an IP address` }
        : decide(address, policy, hostname);
    if (!decision.allowed) throw new AddressRefusedError(hostname, decision);
    return { address, family };
  });
}

/**
 * A `lookup` for net/tls.connect: resolves once, checks every address, and hands the socket exactly the addresses it checked,
 * so the name cannot resolve to something else between the check and the connect (DNS rebinding). Each new connection resolves
 * and checks again.
 */
export function guardedLookup(resolver: Resolver, policy: AddressPolicy): LookupFunction {
  return (hostname, options, callback) => {
    resolver(hostname)
      .then((addresses) => {
        const checked = checkResolved(hostname, addresses, policy);
        const family = options.family === "IPv4" ? 4 : options.family === "IPv6" ? 6 : (options.family ?? 0);
        const usable = family === 0 ? checked : checked.filter((entry) => entry.family === family);
        const first = usable[0];
        if (!first) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname} (no IPv${family} address)`), { code: "ENOTFOUND", hostname });
        if (options.all) callback(null, usable);
        else callback(null, first.address, first.family);
      })
      .catch((error: NodeJS.ErrnoException) => callback(error, ""));
  };
}

export interface GuardedConnectorOptions {
  readonly policy: AddressPolicy;
  readonly resolver: Resolver;
  /** Connect (and TLS handshake) timeout, ms; undici's default 10 s. */
  readonly timeoutMs?: number;
}

/**
 * An undici connector that checks an IP-literal host itself (net.connect skips `lookup` for those) and gives every host name to
 * `guardedLookup`. Every connection the dispatcher opens, first request or redirect, passes through here.
 */
export function guardedConnector(options: GuardedConnectorOptions): buildConnector.connector {
  const connect = buildConnector({ lookup: guardedLookup(options.resolver, options.policy), ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs }) });
  return (target, callback) => {
    const host = target.hostname.replace(/^\[(.*)\]$/, "$1");
    if (isIP(host) !== 0) {
      const decision = decide(host, options.policy);
      if (!decision.allowed) {
        callback(new AddressRefusedError(host, decision), null);
        return;
      }
    }
    connect(target, callback);
  };
}
