import { subscribe, unsubscribe } from "node:diagnostics_channel";
import type { LookupAddress } from "node:dns";
import type { Socket } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AddressPolicy } from "./address-policy.js";
import { AddressRefusedError, guardedConnector, guardedLookup, type ResolvedAddress, type Resolver } from "./guarded-connect.js";
import { createSafeFetch, type SafeFetch } from "./safe-fetch.js";

/**
 * Refusals decided with an injected resolver. No test here may reach a non-loopback address: every socket Node opens is watched
 * and each test ends by checking that none connected.
 */

const shared: AddressPolicy = { allowPrivate: false, allowMetadata: false };
const ownMachine: AddressPolicy = { allowPrivate: true, allowMetadata: false };

const sockets = { opened: 0, connected: [] as string[] };
const onSocket = (message: unknown) => {
  const { socket } = message as { socket: Socket };
  sockets.opened++;
  socket.once("connect", () => sockets.connected.push(socket.remoteAddress ?? "?"));
};
beforeEach(() => {
  sockets.opened = 0;
  sockets.connected = [];
  subscribe("net.client.socket", onSocket);
});
afterEach(() => {
  unsubscribe("net.client.socket", onSocket);
  expect(sockets.connected).toEqual([]);
});

/** A resolver that answers `answers` for every name and counts its calls. */
function fixedResolver(...answers: string[]): Resolver & { calls: string[] } {
  const calls: string[] = [];
  const resolve = async (hostname: string): Promise<ResolvedAddress[]> => {
    calls.push(hostname);
    return answers.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  };
  return Object.assign(resolve, { calls });
}

const opened: SafeFetch[] = [];
function guarded(policy: AddressPolicy, lookup: Resolver): SafeFetch {
  const safeFetch = createSafeFetch({ policy, lookup });
  opened.push(safeFetch);
  return safeFetch;
}
afterEach(async () => {
  await Promise.all(opened.splice(0).map((safeFetch) => safeFetch.close()));
});

async function refusal(promise: Promise<unknown>): Promise<AddressRefusedError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AddressRefusedError);
  expect(error).toBeInstanceOf(TypeError);
  return error as AddressRefusedError;
}

describe("safe fetch: a name that resolves to a refused address", () => {
  const cases: [string, string, RegExp][] = [
    ["loopback", "127.0.0.1", /is a loopback address; set MCP_ALLOW_PRIVATE_NETWORKS=1 to allow it$/],
    ["loopback IPv6", "::1", /is a loopback address/],
    ["link-local", "169.254.10.10", /is a link-local address/],
    ["link-local IPv6", "fe80::1", /is a link-local address/],
    ["private 10/8", "10.0.0.5", /resolves to 10\.0\.0\.5, which is a private address; set MCP_ALLOW_PRIVATE_NETWORKS=1 to allow it$/],
    ["private 172.16/12", "172.20.1.1", /is a private address/],
    ["private 192.168/16", "192.168.1.10", /is a private address/],
    ["unique local IPv6", "fd12:3456::1", /is a private address/],
    ["CGNAT", "100.64.1.1", /is a shared \(carrier-grade NAT\) address/],
    ["multicast", "239.255.255.250", /is a multicast address/],
    ["unspecified", "0.0.0.0", /is the unspecified address/],
    ["documentation", "192.0.2.10", /is a reserved address \(RFC 5737 documentation, TEST-NET-1\)/],
    ["benchmarking", "198.18.0.1", /is a reserved address \(RFC 2544 benchmarking\)/],
    ["metadata", "169.254.169.254", /is a cloud metadata address/],
    ["metadata IPv6", "fd00:ec2::254", /is a cloud metadata address \(Amazon EC2 instance metadata over IPv6\)/],
    ["ECS credentials", "169.254.170.2", /is a cloud metadata address \(Amazon ECS task metadata and credentials\)/],
    ["Alibaba metadata", "100.100.100.200", /is a cloud metadata address/],
    ["IPv4-mapped private", "::ffff:10.0.0.5", /::ffff:10\.0\.0\.5 \(IPv4-mapped IPv6 form of 10\.0\.0\.5\), which is a private address/],
    ["IPv4-mapped metadata, hex", "::ffff:a9fe:a9fe", /\(IPv4-mapped IPv6 form of 169\.254\.169\.254\), which is a cloud metadata address/],
    ["IPv4-mapped loopback, long form", "0:0:0:0:0:ffff:7f00:1", /IPv4-mapped IPv6 form of 127\.0\.0\.1\), which is a loopback address/],
    ["NAT64 of metadata", "64:ff9b::a9fe:a9fe", /NAT64 form of 169\.254\.169\.254\), which is a cloud metadata address/],
    ["IPv4-compatible private", "::10.0.0.5", /IPv4-compatible IPv6 form of 10\.0\.0\.5\), which is a private address/],
  ];

  it.each(cases)("refuses %s (%s) on a shared server without connecting", async (_name, address, reason) => {
    const resolver = fixedResolver(address);
    const error = await refusal(guarded(shared, resolver)("http://mcp.example.test:8080/mcp", { method: "POST", body: "{}" }));
    expect(error.message).toMatch(/^refused: mcp\.example\.test resolves to /);
    expect(error.message).toMatch(reason);
    expect(error.host).toBe("mcp.example.test");
    expect(resolver.calls).toEqual(["mcp.example.test"]);
  });

  it("refuses metadata on the user's own machine too, where private addresses are allowed", async () => {
    for (const address of ["169.254.169.254", "fd00:ec2::254", "::ffff:169.254.169.254", "169.254.170.23"]) {
      const error = await refusal(guarded(ownMachine, fixedResolver(address))("http://metadata.google.internal/computeMetadata/v1/"));
      expect(error.message).toMatch(/is a cloud metadata address/);
    }
  });

  it("refuses a name when any one of its addresses is refused", async () => {
    const error = await refusal(guarded(shared, fixedResolver("93.184.216.34", "10.0.0.5"))("https://mixed.example.test/"));
    expect(error.message).toMatch(/resolves to 10\.0\.0\.5, which is a private address/);
  });

  it("refuses a resolver answer that is not an IP address instead of handing it to the socket", async () => {
    const error = await refusal(guarded(ownMachine, fixedResolver("127.1"))("http://odd.example.test/"));
    expect(error.message).toBe('refused: odd.example.test resolves to "127.1", which is not an IP address');
  });

  it("reports a name that resolves to nothing as not found", async () => {
    const error = (await guarded(shared, fixedResolver())("http://nothing.example.test/").catch((caught: unknown) => caught)) as TypeError;
    expect(error).toBeInstanceOf(TypeError);
    expect(error).not.toBeInstanceOf(AddressRefusedError);
    expect((error.cause as NodeJS.ErrnoException).code).toBe("ENOTFOUND");
  });

  it("refuses over https the same way (the check is before the TLS handshake)", async () => {
    const error = await refusal(guarded(shared, fixedResolver("10.1.2.3"))("https://secure.example.test/mcp"));
    expect(error.message).toMatch(/private address/);
  });
});

describe("safe fetch: IP-literal hosts", () => {
  const literals: [string, RegExp][] = [
    ["http://10.0.0.5/mcp", /^refused: 10\.0\.0\.5 is a private address; set MCP_ALLOW_PRIVATE_NETWORKS=1 to allow it$/],
    ["http://127.0.0.1:3001/mcp", /^refused: 127\.0\.0\.1 is a loopback address/],
    ["http://[::1]:3001/mcp", /^refused: ::1 is a loopback address/],
    ["http://169.254.169.254/latest/meta-data/", /^refused: 169\.254\.169\.254 is a cloud metadata address/],
    ["http://[fd00:ec2::254]/latest/meta-data/", /^refused: fd00:ec2::254 is a cloud metadata address/],
    ["http://[::ffff:10.0.0.5]/", /^refused: ::ffff:a00:5 \(IPv4-mapped IPv6 form of 10\.0\.0\.5\) is a private address/],
    ["http://[::ffff:169.254.169.254]/", /IPv4-mapped IPv6 form of 169\.254\.169\.254\) is a cloud metadata address/],
    ["http://[0:0:0:0:0:ffff:7f00:1]/", /IPv4-mapped IPv6 form of 127\.0\.0\.1\) is a loopback address/],
    ["http://0x7f.1/", /^refused: 127\.0\.0\.1 is a loopback address/],
    ["http://2130706433/", /^refused: 127\.0\.0\.1 is a loopback address/],
    ["http://0177.0.0.1/", /^refused: 127\.0\.0\.1 is a loopback address/],
    ["http://0xa9fea9fe/", /^refused: 169\.254\.169\.254 is a cloud metadata address/],
    ["http://100.64.0.1/", /shared \(carrier-grade NAT\) address/],
    ["http://[fe80::1]/", /link-local address/],
    ["http://0.0.0.0:3001/", /unspecified address/],
    ["http://224.0.0.1/", /multicast address/],
    ["http://203.0.113.5/", /reserved address/],
  ];

  it.each(literals)("refuses %s without DNS and without opening a socket", async (url, reason) => {
    const resolver = fixedResolver("8.8.8.8");
    const error = await refusal(guarded(shared, resolver)(url));
    expect(error.message).toMatch(reason);
    expect(resolver.calls).toEqual([]);
    expect(sockets.opened).toBe(0);
  });

  it("refuses schemes other than http and https", async () => {
    for (const url of ["file:///etc/passwd", "ftp://example.test/", "data:text/plain,hi", "gopher://example.test/"]) {
      await expect(guarded(ownMachine, fixedResolver("127.0.0.1"))(url)).rejects.toThrow(/^refused: [a-z]+: URLs are not fetched/);
    }
  });
});

describe("guardedLookup: DNS rebinding", () => {
  /** Answers a public address first and a private one on the next call, like a rebinding DNS server with TTL 0. */
  function rebindingResolver(): Resolver & { calls: number } {
    const answers = ["93.184.216.34", "10.0.0.5"];
    const resolve = async (): Promise<ResolvedAddress[]> => {
      const address = answers[Math.min(resolve.calls++, answers.length - 1)] as string;
      return [{ address, family: 4 }];
    };
    resolve.calls = 0;
    return resolve;
  }

  function lookupOnce(resolver: Resolver, all: boolean): Promise<{ address: string | LookupAddress[]; family: number | undefined }> {
    return new Promise((resolve, reject) => {
      guardedLookup(resolver, shared)("rebind.example.test", { all }, (error, address, family) => (error ? reject(error) : resolve({ address, family })));
    });
  }

  it("hands the socket exactly the address it checked, and checks the next answer again", async () => {
    const resolver = rebindingResolver();
    // The first lookup checks 93.184.216.34 and gives the socket that address, not a second resolution of the name.
    await expect(lookupOnce(resolver, false)).resolves.toEqual({ address: "93.184.216.34", family: 4 });
    expect(resolver.calls).toBe(1);
    // The rebinding answer on the next connection is checked too, and refused.
    const error = await lookupOnce(resolver, false).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AddressRefusedError);
    expect((error as Error).message).toBe("refused: rebind.example.test resolves to 10.0.0.5, which is a private address; set MCP_ALLOW_PRIVATE_NETWORKS=1 to allow it");
    expect(resolver.calls).toBe(2);
  });

  it("answers the all-addresses form net uses with happy eyeballs, with the checked addresses only", async () => {
    const resolver = fixedResolver("93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946");
    await expect(lookupOnce(resolver, true)).resolves.toEqual({
      address: [
        { address: "93.184.216.34", family: 4 },
        { address: "2606:2800:220:1:248:1893:25c8:1946", family: 6 },
      ],
      family: undefined,
    });
  });

  it("refuses through fetch on the second resolution: each connection resolves once and is checked", async () => {
    // Both answers refused here so nothing connects; the loopback suite (test/ssrf-loopback.test.ts) shows a real connection
    // going to the checked address and the rebound one refused.
    const answers = ["10.0.0.5", "169.254.169.254"];
    let calls = 0;
    const resolver: Resolver = async () => [{ address: answers[Math.min(calls++, 1)] as string, family: 4 }];
    const safeFetch = guarded(shared, resolver);
    expect((await refusal(safeFetch("http://rebind.example.test/"))).message).toMatch(/10\.0\.0\.5, which is a private address/);
    expect((await refusal(safeFetch("http://rebind.example.test/"))).message).toMatch(/169\.254\.169\.254, which is a cloud metadata address/);
    expect(calls).toBe(2);
  });
});

describe("guardedConnector: every connection the dispatcher opens", () => {
  // Loopback targets under the shared policy: even a broken guard could only reach this machine.
  function connectOnce(hostname: string, lookup: Resolver): Promise<unknown> {
    const connect = guardedConnector({ policy: shared, resolver: lookup });
    return new Promise((resolve) => {
      connect({ hostname, protocol: "http:", port: "9" }, (error, socket) => {
        socket?.destroy();
        resolve(error);
      });
    });
  }

  it.each(["127.0.0.1", "::1", "[::1]", "::ffff:127.0.0.1", "::ffff:7f00:1"])("checks the IP literal %s itself, before any socket", async (hostname) => {
    const lookup = fixedResolver("127.0.0.1");
    const error = await connectOnce(hostname, lookup);
    expect(error).toBeInstanceOf(AddressRefusedError);
    expect((error as Error).message).toMatch(/is a loopback address; set MCP_ALLOW_PRIVATE_NETWORKS=1 to allow it$/);
    expect(lookup.calls).toEqual([]);
    expect(sockets.opened).toBe(0);
  });

  it("gives a host name to the guarded lookup, which refuses it before the socket connects", async () => {
    const lookup = fixedResolver("127.0.0.1");
    const error = await connectOnce("localhost", lookup);
    expect((error as Error).message).toBe("refused: localhost resolves to 127.0.0.1, which is a loopback address; set MCP_ALLOW_PRIVATE_NETWORKS=1 to allow it");
    expect(lookup.calls).toEqual(["localhost"]);
  });
});
