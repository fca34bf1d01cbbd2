import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { AddressPolicy } from "../src/net/address-policy.js";
import { ResponseTooLargeError } from "../src/net/body-limit.js";
import { AddressRefusedError, type ResolvedAddress, type Resolver } from "../src/net/guarded-connect.js";
import { createSafeFetch, type SafeFetch, type SafeFetchOptions } from "../src/net/safe-fetch.js";

/**
 * The guard against a real HTTP server on 127.0.0.1: allowed when private networks are, refused otherwise, redirects checked
 * hop by hop, bodies capped. Names resolve through an injected resolver; every socket is watched, and none may connect anywhere
 * but 127.0.0.1.
 */

const ownMachine: AddressPolicy = { allowPrivate: true, allowMetadata: false };
const shared: AddressPolicy = { allowPrivate: false, allowMetadata: false };

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage["headers"];
  readonly body: string;
  readonly remote: string;
}

let server: Server;
let port: number;
let origin: string;
const seen: Seen[] = [];
let serverConnections = 0;

function respond(request: IncomingMessage, response: ServerResponse, body: string): void {
  const url = new URL(request.url ?? "/", "http://x");
  const to = url.searchParams.get("to");
  switch (url.pathname) {
    case "/hello":
      response.writeHead(200, { "content-type": "text/plain" }).end(`hello ${request.method} ${body}`);
      return;
    case "/close":
      response.writeHead(200, { connection: "close" }).end("bye");
      return;
    case "/redirect":
      response.writeHead(Number(url.searchParams.get("status") ?? 302), { location: to ?? "/hello" }).end();
      return;
    case "/loop":
      response.writeHead(302, { location: `/loop?n=${Number(url.searchParams.get("n") ?? 0) + 1}` }).end();
      return;
    case "/big": {
      const size = Number(url.searchParams.get("size"));
      const headers = url.searchParams.has("chunked") ? {} : { "content-length": String(size) };
      response.writeHead(200, headers);
      const chunk = Buffer.alloc(64 * 1024, 97);
      let left = size;
      const write = (): void => {
        while (left > 0) {
          const part = chunk.subarray(0, Math.min(left, chunk.length));
          left -= part.length;
          if (!response.write(part)) {
            response.once("drain", write);
            return;
          }
        }
        response.end();
      };
      write();
      return;
    }
    case "/events": {
      const count = Number(url.searchParams.get("count"));
      const eventSize = Number(url.searchParams.get("eventSize"));
      response.writeHead(200, { "content-type": "text/event-stream" });
      for (let index = 0; index < count; index++) response.write(`data: ${"x".repeat(eventSize)}\r\n\r\n`);
      response.end();
      return;
    }
    default:
      response.writeHead(404).end();
  }
}

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks).toString();
      seen.push({ method: request.method ?? "", url: request.url ?? "", headers: request.headers, body, remote: request.socket.remoteAddress ?? "" });
      respond(request, response, body);
    });
  });
  server.on("connection", () => serverConnections++);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const connected: string[] = [];
const onSocket = (message: unknown) => {
  const { socket } = message as { socket: Socket };
  socket.once("connect", () => connected.push(socket.remoteAddress ?? "?"));
};
const clients: SafeFetch[] = [];
beforeEach(() => {
  seen.length = 0;
  connected.length = 0;
  serverConnections = 0;
  subscribe("net.client.socket", onSocket);
});
afterEach(async () => {
  unsubscribe("net.client.socket", onSocket);
  await Promise.all(clients.splice(0).map((client) => client.close()));
  expect(connected.every((address) => address === "127.0.0.1"), `connected to ${connected.join(", ")}`).toBe(true);
});

/** Names under .test resolve to what `names` says (127.0.0.1 by default); anything else is not found. */
function resolverFor(names: Record<string, string[]> = {}): Resolver & { calls: string[] } {
  const calls: string[] = [];
  const resolve = async (hostname: string): Promise<ResolvedAddress[]> => {
    calls.push(hostname);
    const answer = names[hostname] ?? (hostname.endsWith(".test") ? ["127.0.0.1"] : []);
    return answer.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  };
  return Object.assign(resolve, { calls });
}

function client(policy: AddressPolicy, lookup: Resolver = resolverFor(), extra: Partial<SafeFetchOptions> = {}): SafeFetch {
  const created = createSafeFetch({ policy, lookup, ...extra });
  clients.push(created);
  return created;
}

const byName = (path: string, host = "mcp.test") => `http://${host}:${port}${path}`;

describe("a loopback MCP server", () => {
  it("is reached with private networks allowed, by IP literal and by a name that resolves to 127.0.0.1", async () => {
    const lookup = resolverFor();
    const safeFetch = client(ownMachine, lookup);
    const literal = await safeFetch(`${origin}/hello`, { method: "POST", body: "ping" });
    expect(literal).toBeInstanceOf(Response);
    expect([literal.status, await literal.text(), literal.url, literal.redirected]).toEqual([200, "hello POST ping", `${origin}/hello`, false]);
    const named = await safeFetch(byName("/hello"));
    expect(await named.text()).toBe("hello GET ");
    expect(seen.at(-1)?.headers.host).toBe(`mcp.test:${port}`);
    expect(lookup.calls).toEqual(["mcp.test"]);
    expect(connected.length).toBeGreaterThan(0);
  });

  it("is refused with private networks not allowed, by IP literal and by name, without a connection", async () => {
    const lookup = resolverFor();
    const safeFetch = client(shared, lookup);
    const literal = await safeFetch(`${origin}/hello`).catch((error: unknown) => error);
    expect(literal).toBeInstanceOf(AddressRefusedError);
    expect((literal as Error).message).toBe("refused: 127.0.0.1 is a loopback address; set MCP_ALLOW_PRIVATE_NETWORKS=1 to allow it");
    const named = await safeFetch(byName("/hello")).catch((error: unknown) => error);
    expect((named as Error).message).toBe("refused: mcp.test resolves to 127.0.0.1, which is a loopback address; set MCP_ALLOW_PRIVATE_NETWORKS=1 to allow it");
    const mapped = await safeFetch(`http://[::ffff:127.0.0.1]:${port}/hello`).catch((error: unknown) => error);
    expect((mapped as Error).message).toMatch(/IPv4-mapped IPv6 form of 127\.0\.0\.1\) is a loopback address/);
    expect(serverConnections).toBe(0);
    expect(connected).toEqual([]);
  });
});

describe("DNS rebinding against the loopback server", () => {
  it("connects to the address it checked, and refuses the rebound answer on the next connection", async () => {
    // The first answer is allowed (loopback, private networks allowed), the next one is metadata, still refused.
    const answers = ["127.0.0.1", "169.254.169.254"];
    let calls = 0;
    const lookup: Resolver = async () => [{ address: answers[Math.min(calls++, 1)] as string, family: 4 }];
    const safeFetch = client(ownMachine, lookup);
    const first = await safeFetch(byName("/close", "rebind.test"));
    expect(await first.text()).toBe("bye");
    expect(calls).toBe(1);
    expect(seen.map((request) => request.remote)).toEqual(["127.0.0.1"]);
    // The server closed the connection, so the next request resolves again, and the rebound address is refused.
    const second = await safeFetch(byName("/hello", "rebind.test")).catch((error: unknown) => error);
    expect(second).toBeInstanceOf(AddressRefusedError);
    expect((second as Error).message).toBe(
      "refused: rebind.test resolves to 169.254.169.254, which is a cloud metadata address (instance metadata of AWS, Azure, Google Cloud, OCI and others); set MCP_ALLOW_PRIVATE_NETWORKS=1 to allow it",
    );
    expect(calls).toBe(2);
    expect(seen).toHaveLength(1);
  });
});

describe("redirects", () => {
  it("follows a redirect within allowed addresses and says so", async () => {
    const response = await client(ownMachine)(`${origin}/redirect?to=/hello`);
    expect([response.status, await response.text(), response.url, response.redirected]).toEqual([200, "hello GET ", `${origin}/hello`, true]);
  });

  it.each([
    // Private networks are allowed here (the server is on 127.0.0.1), so every target below is one this policy still refuses;
    // a private target would be allowed and really connected to.
    ["a multicast literal", "http://224.0.0.1/", /^refused: 224\.0\.0\.1 is a multicast address/],
    ["the unspecified address", "http://0.0.0.0/", /^refused: 0\.0\.0\.0 is the unspecified address/],
    ["the metadata address", "http://169.254.169.254/latest/meta-data/iam/security-credentials/", /^refused: 169\.254\.169\.254 is a cloud metadata address/],
    ["an IPv4-mapped metadata address", "http://[::ffff:a9fe:a9fe]/", /IPv4-mapped IPv6 form of 169\.254\.169\.254\) is a cloud metadata address/],
    ["the IPv6 metadata address", "http://[fd00:ec2::254]/latest/api/token", /^refused: fd00:ec2::254 is a cloud metadata address/],
    ["a name resolving to metadata", "http://metadata.google.internal/computeMetadata/v1/", /^refused: metadata\.google\.internal resolves to 169\.254\.169\.254, which is a cloud metadata address/],
  ])("refuses a redirect to %s, checked like the first request", async (_name, target, reason) => {
    const lookup = resolverFor({ "metadata.google.internal": ["169.254.169.254"] });
    const error = await client(ownMachine, lookup)(`${origin}/redirect?to=${encodeURIComponent(target)}`).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AddressRefusedError);
    expect((error as Error).message).toMatch(reason);
    expect(seen).toHaveLength(1);
  });

  it("stops after the redirect cap", async () => {
    const error = await client(ownMachine, undefined, { maxRedirects: 3 })(`${origin}/loop`).catch((caught: unknown) => caught);
    expect((error as Error).message).toBe(`refused: more than 3 redirects, the last from ${origin}/loop?n=3 to ${origin}/loop?n=4`);
    expect(seen).toHaveLength(4);
  });

  it("returns the redirect itself with redirect: manual, and refuses it with redirect: error", async () => {
    const safeFetch = client(ownMachine);
    const manual = await safeFetch(`${origin}/redirect?to=${encodeURIComponent("http://169.254.169.254/")}`, { redirect: "manual" });
    expect([manual.status, manual.headers.get("location")]).toEqual([302, "http://169.254.169.254/"]);
    await expect(safeFetch(`${origin}/redirect?to=/hello`, { redirect: "error" })).rejects.toThrow(/redirects to .*\/hello, and this request does not follow redirects/);
    expect(seen).toHaveLength(2);
  });

  it("turns POST into GET without a body on 303 and 302, and keeps both on 307 and 308", async () => {
    const safeFetch = client(ownMachine);
    for (const status of [303, 302]) {
      const response = await safeFetch(`${origin}/redirect?status=${status}&to=/hello`, { method: "POST", body: "data", headers: { "content-type": "text/plain" } });
      expect(await response.text()).toBe("hello GET ");
      expect(seen.at(-1)?.headers["content-type"]).toBeUndefined();
    }
    for (const status of [307, 308]) {
      const response = await safeFetch(`${origin}/redirect?status=${status}&to=/hello`, { method: "POST", body: "data" });
      expect(await response.text()).toBe("hello POST data");
    }
  });

  it("drops credentials and the named sensitive headers when a redirect leaves the origin, and keeps them within it", async () => {
    const safeFetch = client(ownMachine, resolverFor(), { sensitiveHeaders: ["X-Api-Key"] });
    const headers = { authorization: "Bearer secret-token", "x-api-key": "k-123", cookie: "a=b", accept: "application/json" };
    await safeFetch(byName("/redirect?to=/hello"), { headers });
    expect(seen.at(-1)?.headers).toMatchObject({ authorization: "Bearer secret-token", "x-api-key": "k-123", cookie: "a=b" });
    await safeFetch(byName(`/redirect?to=${encodeURIComponent(byName("/hello", "elsewhere.test"))}`), { headers });
    const crossed = seen.at(-1)?.headers ?? {};
    expect(crossed.host).toBe(`elsewhere.test:${port}`);
    expect([crossed.authorization, crossed["x-api-key"], crossed.cookie, crossed.accept]).toEqual([undefined, undefined, undefined, "application/json"]);
  });

  it("refuses to resend a streamed body on 307", async () => {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode("streamed"));
        controller.close();
      },
    });
    const init = { method: "POST", body, duplex: "half" } as RequestInit;
    await expect(client(ownMachine)(`${origin}/redirect?status=307&to=/hello`, init)).rejects.toThrow(/a streamed request body cannot be sent again/);
  });
});

describe("response size cap", () => {
  const limit = 1024 * 1024;

  it("passes a body under the cap", async () => {
    const response = await client(ownMachine, undefined, { maxBodyBytes: limit })(`${origin}/big?size=${limit}`);
    expect((await response.arrayBuffer()).byteLength).toBe(limit);
  });

  it("refuses a declared length over the cap before reading it", async () => {
    const error = await client(ownMachine, undefined, { maxBodyBytes: limit })(`${origin}/big?size=${2 * limit}`).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect((error as Error).message).toBe(`refused: the response body (2 MiB) from ${origin}/big?size=${2 * limit} is over the limit of 1 MiB`);
  });

  it("cuts a chunked body when it passes the cap", async () => {
    const response = await client(ownMachine, undefined, { maxBodyBytes: limit })(`${origin}/big?size=${2 * limit}&chunked`);
    expect(response.headers.get("content-length")).toBeNull();
    const error = await response.text().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect((error as Error).message).toMatch(/^refused: the response body from .* is over the limit of 1 MiB$/);
  });

  it("caps each event of an event stream, not the whole stream", async () => {
    const safeFetch = client(ownMachine, undefined, { maxBodyBytes: 64 * 1024 });
    const many = await safeFetch(`${origin}/events?count=200&eventSize=1000`);
    expect((await many.text()).length).toBe(200 * (6 + 1000 + 4));
    const huge = await safeFetch(`${origin}/events?count=1&eventSize=${128 * 1024}`);
    await expect(huge.text()).rejects.toThrow(/^refused: an event of the event stream from .* is over the limit of 64 KiB$/);
  });
});
