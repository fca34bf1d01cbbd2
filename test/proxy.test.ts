import { afterEach, describe, expect, it } from "vitest";
import type { TrustedProxies } from "../src/server/trust-proxy.js";
import { useBedrockEmulator } from "./helpers/bedrock-env.js";
import { startChatServer, type ChatServer } from "./helpers/chat-server.js";
import { LogLines } from "./helpers/log-lines.js";

useBedrockEmulator();

// The test's connections come from 127.0.0.1: that is the proxy nearest the app (the load balancer, or the ALB).
const CLIENT = "198.51.100.7";
const OTHER_CLIENT = "198.51.100.8";
const CLOUDFRONT_EDGE = "64.252.100.1";
const forged = (n: number) => `203.0.113.${n}`;
const ATTEMPTS = 40;
const LIMIT = 3;

/** The X-Forwarded-For a request arrives with: what the client wrote, then what each proxy appended, in order. */
function forwardedFor(clientWrote: string | undefined, ...appended: string[]): string {
  return [...(clientWrote ? [clientWrote] : []), ...appended].join(", ");
}

let server: ChatServer | undefined;
let logs: LogLines;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(trustProxy?: TrustedProxies): Promise<ChatServer> {
  logs = new LogLines();
  server = await startChatServer({ authMode: "local", signInAttemptsPerIp: LIMIT, logLevel: "info", logStream: logs, ...(trustProxy !== undefined ? { trustProxy } : {}) });
  return server;
}

/** A wrong-password sign-in (a new email each time, so no account lockout is involved) with this X-Forwarded-For. */
async function signInWith(server: ChatServer, xForwardedFor: string, n: number): Promise<{ status: number; code: string | undefined }> {
  const res = await server.api("POST", "/auth/login", { email: `someone-${n}@example.com`, password: "not the password at all" }, { "x-forwarded-for": xForwardedFor });
  return { status: res.status, code: res.body?.error?.code };
}

/** ATTEMPTS sign-ins whose headers are made by `header(n)`: the statuses in order. */
async function signIns(server: ChatServer, header: (n: number) => string): Promise<number[]> {
  const statuses: number[] = [];
  for (let n = 1; n <= ATTEMPTS; n++) {
    const { status, code } = await signInWith(server, header(n), n);
    if (status === 429) expect(code).toBe("too_many_attempts");
    statuses.push(status);
  }
  return statuses;
}

const limited = [...Array<number>(LIMIT).fill(401), ...Array<number>(ATTEMPTS - LIMIT).fill(429)];

/** The client address the server used for each sign-in (request.ip, as logged). */
const loggedAddresses = () => logs.requests("/auth/login").map((req) => req.remoteAddress);

function expectNoForgedAddressLogged(): void {
  expect(logs.all()).not.toMatch(/203\.0\.113\./);
}

describe("no proxy setting: X-Forwarded-For is ignored", () => {
  it("counts sign-ins per connecting address whatever the client writes", async () => {
    const app = await start();
    expect(await signIns(app, (n) => forged(n))).toEqual(limited);
    expect(await signIns(app, (n) => `${forged(n)}, ${CLIENT}`)).toEqual(Array(ATTEMPTS).fill(429));
    expect(new Set(loggedAddresses())).toEqual(new Set(["127.0.0.1"]));
    expectNoForgedAddressLogged();
  });
});

describe("TRUST_PROXY_HOPS=1 (one load balancer, which appends the client's address)", () => {
  it("ignores a forged single address: the rightmost entry, written by the load balancer, is the client", async () => {
    const app = await start(1);
    expect(await signIns(app, (n) => forwardedFor(forged(n), CLIENT))).toEqual(limited);
    expect(new Set(loggedAddresses())).toEqual(new Set([CLIENT]));
    expectNoForgedAddressLogged();
  });

  it("ignores a forged two-hop chain", async () => {
    const app = await start(1);
    expect(await signIns(app, (n) => forwardedFor(`${forged(n)}, ${forged(n + 100)}`, CLIENT))).toEqual(limited);
    expect(new Set(loggedAddresses())).toEqual(new Set([CLIENT]));
    expectNoForgedAddressLogged();
  });

  it("keeps a separate count for each real client", async () => {
    const app = await start(1);
    expect(await signIns(app, (n) => forwardedFor(forged(n), CLIENT))).toEqual(limited);
    expect((await signInWith(app, forwardedFor(undefined, OTHER_CLIENT), 0)).status).toBe(401);
    expect(loggedAddresses().at(-1)).toBe(OTHER_CLIENT);
  });
});

describe("TRUST_PROXY_HOPS=2 (CloudFront appends the viewer's address, then the ALB appends CloudFront's)", () => {
  it("takes the viewer's address without anything forged", async () => {
    const app = await start(2);
    expect(await signIns(app, () => forwardedFor(undefined, CLIENT, CLOUDFRONT_EDGE))).toEqual(limited);
    expect(new Set(loggedAddresses())).toEqual(new Set([CLIENT]));
  });

  it("ignores a forged single address", async () => {
    const app = await start(2);
    expect(await signIns(app, (n) => forwardedFor(forged(n), CLIENT, CLOUDFRONT_EDGE))).toEqual(limited);
    expect(new Set(loggedAddresses())).toEqual(new Set([CLIENT]));
    expectNoForgedAddressLogged();
  });

  it("ignores a forged two-hop chain, and keeps a separate count for another viewer", async () => {
    const app = await start(2);
    expect(await signIns(app, (n) => forwardedFor(`${forged(n)}, ${forged(n + 100)}`, CLIENT, CLOUDFRONT_EDGE))).toEqual(limited);
    expect((await signInWith(app, forwardedFor(forged(1), OTHER_CLIENT, CLOUDFRONT_EDGE), 0)).status).toBe(401);
    expect(new Set(loggedAddresses())).toEqual(new Set([CLIENT, OTHER_CLIENT]));
    expectNoForgedAddressLogged();
  });
});

describe("TRUSTED_PROXIES (address ranges of the proxies)", () => {
  it("reads X-Forwarded-For from the right through the listed proxies only: the first address outside them is the client", async () => {
    const app = await start(["127.0.0.0/8", "64.252.64.0/18"]);
    // The client poses as a CloudFront edge: its own entries are left of the first untrusted address.
    expect(await signIns(app, (n) => forwardedFor(`${forged(n)}, 64.252.100.${n}`, CLIENT, CLOUDFRONT_EDGE))).toEqual(limited);
    expect((await signInWith(app, forwardedFor(forged(1), OTHER_CLIENT), 0)).status).toBe(401);
    expect(new Set(loggedAddresses())).toEqual(new Set([CLIENT, OTHER_CLIENT]));
    expectNoForgedAddressLogged();
  });

  it("ignores X-Forwarded-For from a peer that is not a listed proxy", async () => {
    const app = await start(["10.0.0.0/8"]);
    expect(await signIns(app, (n) => forwardedFor(forged(n), `198.51.100.${n}`))).toEqual(limited);
    expect(new Set(loggedAddresses())).toEqual(new Set(["127.0.0.1"]));
    expectNoForgedAddressLogged();
  });
});
