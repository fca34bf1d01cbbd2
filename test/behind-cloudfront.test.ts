import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from "node:http";
import { createBrotliDecompress, createGunzip } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALB_IDLE_TIMEOUT_SECONDS, ORIGIN_READ_TIMEOUT_SECONDS, ORIGIN_SECRET_HEADER } from "../infra/lib/timeouts.js";
import { createPasswordAccount } from "../src/auth/accounts.js";
import { readServerEnv } from "../src/config/env.js";
import { KEEP_ALIVE_MS } from "../src/server/routes/generations.js";
import { useBedrockEmulator } from "./helpers/bedrock-env.js";
import { createParser, type EventSourceMessage } from "eventsource-parser";
import { readEvents, sessionCookie, startChatServer, textOf, type ChatServer, type SseEvent } from "./helpers/chat-server.js";
import { LogLines } from "./helpers/log-lines.js";

// The deployment: viewer -> CloudFront (https://PUBLIC_HOST) -> ALB (ALB_HOST, HTTP) -> the task. CloudFront's
// origin request policy forwards every viewer header except Host, so the app sees the ALB's name as Host and the
// viewer's Origin; CloudFront writes the viewer's address into X-Forwarded-For and the ALB appends CloudFront's.
const env = useBedrockEmulator();
const PUBLIC_URL = "https://d1111abcdef8.cloudfront.net";
const ALB_HOST = "chat-alb-1234567890.us-west-2.elb.amazonaws.com";
const VIEWER = "198.51.100.23";
const EDGE = "64.252.89.17";
const EMAIL = "viewer@example.com";
const PASSWORD = "a long passphrase for the viewer";

/** The headers a request from a browser has when it reaches the task through CloudFront and the ALB. */
function throughCloudFront(extra: Record<string, string> = {}, clientForwardedFor?: string): Record<string, string> {
  return {
    host: ALB_HOST,
    origin: PUBLIC_URL,
    "x-requested-with": "fetch",
    "user-agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0 Safari/537.36",
    accept: "*/*",
    "accept-encoding": "gzip, br",
    "accept-language": "en-US,en;q=0.9",
    referer: `${PUBLIC_URL}/`,
    "sec-fetch-site": "same-origin",
    "sec-fetch-mode": "cors",
    via: "2.0 3f1a7c0e2b9d4e5f.cloudfront.net (CloudFront)",
    "x-amz-cf-id": "k3Jd8Hq0c1F2eXaMpLeIdOfAnEdGeReQuEsT0000000000000000==",
    "cloudfront-forwarded-proto": "https",
    "cloudfront-viewer-address": `${VIEWER}:51234`,
    "cloudfront-viewer-country": "US",
    "x-forwarded-for": [clientForwardedFor, VIEWER, EDGE].filter(Boolean).join(", "),
    "x-forwarded-proto": "http",
    "x-forwarded-port": "80",
    "x-amzn-trace-id": "Root=1-67891233-abcdef012345678912345678",
    [ORIGIN_SECRET_HEADER]: "the-secret-cloudfront-adds",
    ...extra,
  };
}

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: any;
}

/** A request with exactly these headers (fetch cannot set Host). */
function raw(url: string, method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const req = httpRequest(url + path, { method, headers: { ...headers, ...(text !== undefined ? { "content-type": "application/json", "content-length": String(Buffer.byteLength(text)) } : {}) } }, (res) => {
      // Decoded as a browser decodes it: the app compresses larger JSON for clients that accept gzip or br.
      const encoding = res.headers["content-encoding"];
      const decoded = encoding === "br" ? res.pipe(createBrotliDecompress()) : encoding === "gzip" ? res.pipe(createGunzip()) : res;
      let data = "";
      decoded.setEncoding("utf8");
      decoded.on("data", (chunk: string) => (data += chunk));
      decoded.on("error", reject);
      decoded.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: data && res.headers["content-type"]?.includes("json") ? JSON.parse(data) : data }));
    });
    req.on("error", reject);
    req.end(text);
  });
}

let server: ChatServer;
let logs: LogLines;
let cookie: string;
beforeAll(async () => {
  // The same variables the stack sets, read the way main.ts reads them.
  const deployed = readServerEnv({ PUBLIC_URL, ALLOWED_HOSTS: ALB_HOST, TRUST_PROXY_HOPS: "2", AUTH_MODE: "local", HOST: "0.0.0.0" });
  logs = new LogLines();
  server = await startChatServer({
    authMode: "local",
    origins: [PUBLIC_URL],
    publicUrl: PUBLIC_URL,
    allowedHosts: deployed.ALLOWED_HOSTS!,
    trustProxy: deployed.TRUST_PROXY_HOPS,
    logLevel: "info",
    logStream: logs,
  });
  await createPasswordAccount(server.db, { email: EMAIL, password: PASSWORD, role: "user" });
  const signedIn = await raw(server.url, "POST", "/auth/login", throughCloudFront(), { email: EMAIL, password: PASSWORD });
  expect(signedIn.status).toBe(200);
  const setCookie = ([] as string[]).concat(signedIn.headers["set-cookie"] ?? []);
  // PUBLIC_URL is https: the cookie is Secure with the __Host- prefix although the last hop is plain http.
  expect(setCookie.join("\n")).toMatch(/^__Host-chat_session=[^;]+;.*Secure/m);
  cookie = sessionCookie(new Headers(setCookie.map((c) => ["set-cookie", c] as [string, string])));
});
afterAll(async () => server?.close());

describe("Host and Origin behind CloudFront and the ALB", () => {
  it("accepts the ALB's name as Host with PUBLIC_URL as Origin: sign-in and a new thread work", async () => {
    const created = await raw(server.url, "POST", "/api/threads", throughCloudFront({ cookie }), {});
    expect(created.status).toBe(201);
    const listed = await raw(server.url, "GET", "/api/threads", throughCloudFront({ cookie }));
    expect(listed.status).toBe(200);
    expect(listed.body.threads.map((t: { id: string }) => t.id)).toContain(created.body.thread.id);
  });

  it("still refuses an Origin other than PUBLIC_URL, the ALB's own origin included", async () => {
    for (const origin of [`http://${ALB_HOST}`, `https://${ALB_HOST}`, "https://evil.example", "http://d1111abcdef8.cloudfront.net"]) {
      const res = await raw(server.url, "POST", "/api/threads", throughCloudFront({ cookie, origin }), {});
      expect(res.status, origin).toBe(403);
      expect(res.body.error.code).toBe("wrong_origin");
    }
  });

  it("refuses any other Host with 421, the task's own address included", async () => {
    for (const host of ["10.0.12.34:8080", "other-alb-1.us-west-2.elb.amazonaws.com", `${ALB_HOST}.`, `x@${ALB_HOST}`, "evil.example"]) {
      const res = await raw(server.url, "POST", "/api/threads", throughCloudFront({ cookie, host }), {});
      expect(res.status, host).toBe(421);
      expect(res.body.error.code).toBe("wrong_host");
    }
  });

  it("answers the ALB's health check, whose Host is the task's private address", async () => {
    const res = await raw(server.url, "GET", "/healthz", { host: "10.0.12.34:8080", "user-agent": "ELB-HealthChecker/2.0", accept: "*/*" });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("ok");
    // Only the health check: any other route with that Host is refused.
    expect((await raw(server.url, "GET", "/api/profiles", { host: "10.0.12.34:8080" })).status).toBe(421);
  });

  it("takes the viewer's address from X-Forwarded-For (TRUST_PROXY_HOPS=2), whatever the viewer wrote there itself", async () => {
    const before = logs.requests("/api/").length;
    await raw(server.url, "GET", "/api/profiles", throughCloudFront({ cookie }, "203.0.113.66"));
    await raw(server.url, "GET", "/api/profiles", throughCloudFront({ cookie }));
    expect(logs.requests("/api/").slice(before).map((r) => r.remoteAddress)).toEqual([VIEWER, VIEWER]);
    expect(logs.all()).not.toMatch(/203\.0\.113\.66/);
  });
});

/**
 * A stand-in for CloudFront and the ALB on 127.0.0.1: forwards to the app with their headers and, like a proxy
 * whose timeout ends a long response, cuts the first event stream after `cutAfterEvents` events.
 */
function startProxy(target: string, cutAfterEvents: number): Promise<{ url: string; server: Server; cuts: number }> {
  const state = { url: "", server: undefined as unknown as Server, cuts: 0 };
  const proxy = createServer((req, res) => {
    const headers = { ...throughCloudFront({ cookie }), ...(req.headers["last-event-id"] ? { "last-event-id": String(req.headers["last-event-id"]) } : {}) };
    const upstream = httpRequest(target + req.url, { method: req.method, headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      let events = 0;
      // Only streams asked for with this test header (never forwarded) are cut.
      const cut = req.headers["x-test-cut"] === "1" && up.headers["content-type"]?.startsWith("text/event-stream");
      up.on("data", (chunk: Buffer) => {
        res.write(chunk);
        events += (chunk.toString().match(/^id: /gm) ?? []).length;
        if (cut && events >= cutAfterEvents) {
          state.cuts++;
          upstream.destroy();
          res.socket?.destroy();
        }
      });
      up.on("end", () => res.end());
    });
    upstream.on("error", () => res.socket?.destroy());
    res.on("close", () => upstream.destroy());
    req.pipe(upstream);
  });
  return new Promise((resolve) => {
    proxy.listen(0, "127.0.0.1", () => {
      const address = proxy.address();
      state.url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
      state.server = proxy;
      resolve(state);
    });
  });
}

/** Reads an event stream until it ends or the connection is cut: the events that arrived, and whether it was cut. */
async function readUntilCut(url: string, headers: Record<string, string>): Promise<{ events: SseEvent[]; cut: boolean }> {
  const events: SseEvent[] = [];
  const parser = createParser({ onEvent: (m: EventSourceMessage) => events.push({ id: m.id, event: m.event, data: JSON.parse(m.data), at: Date.now() }) });
  const decoder = new TextDecoder();
  try {
    const res = await fetch(url, { headers });
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) parser.feed(decoder.decode(chunk, { stream: true }));
    return { events, cut: false };
  } catch {
    return { events, cut: true };
  }
}

describe("answers streamed through CloudFront and the ALB", () => {
  it("sends heartbeats well inside both proxies' timeouts", () => {
    expect(KEEP_ALIVE_MS * 3).toBeLessThanOrEqual(ORIGIN_READ_TIMEOUT_SECONDS * 1000);
    expect(KEEP_ALIVE_MS * 3).toBeLessThanOrEqual(ALB_IDLE_TIMEOUT_SECONDS * 1000);
  });

  it("streams uncompressed and unbuffered, and resumes with Last-Event-ID after the proxy cuts the stream", async () => {
    const proxy = await startProxy(server.url, 3);
    try {
      const created = await raw(server.url, "POST", "/api/threads", throughCloudFront({ cookie }), {});
      env.emulator.enqueue({ blocks: [{ text: "one two three four five six seven eight nine ten" }], deltas: 10, delayMs: 80 });
      const posted = await raw(server.url, "POST", `/api/threads/${created.body.thread.id}/messages`, throughCloudFront({ cookie }), { text: "count to ten" });
      expect(posted.status).toBe(202);
      const eventsUrl = `${proxy.url}/api/generations/${posted.body.generationId}/events`;
      // What the browser sees of the first response, as the proxy passes it on.
      const head = await fetch(eventsUrl, { headers: { "accept-encoding": "gzip, br" } });
      expect(head.headers.get("content-type")).toMatch(/^text\/event-stream/);
      expect(head.headers.get("cache-control")).toMatch(/no-transform/);
      expect(head.headers.get("content-encoding")).toBeNull();
      expect(head.headers.get("x-accel-buffering")).toBe("no");
      await head.body?.cancel().catch(() => undefined);

      // A listener whose stream the proxy cuts after 3 events resumes where it was cut.
      const first = await readUntilCut(eventsUrl, { "x-test-cut": "1" });
      expect(proxy.cuts).toBe(1);
      expect(first.cut).toBe(true);
      // What the proxy had passed on before the cut (the last bytes may be lost with the connection).
      expect(first.events.length).toBeGreaterThanOrEqual(1);
      expect(first.events.at(-1)!.event).not.toBe("done");
      const lastId = Number(first.events.at(-1)!.id);
      const rest = await readEvents(eventsUrl, { lastEventId: lastId });
      expect(Number(rest.events[0]!.id)).toBe(lastId + 1);
      const all = [...first.events, ...rest.events];
      expect(all.map((e) => Number(e.id))).toEqual(all.map((_e, i) => Number(all[0]!.id) + i));
      expect(textOf(all)).toBe("one two three four five six seven eight nine ten");
      expect(all.at(-1)!.event).toBe("done");
      // Not buffered: the first text arrived long before the answer ended.
      const texts = all.filter((e) => e.event === "text");
      expect(texts.at(-1)!.at - texts[0]!.at).toBeGreaterThan(300);
    } finally {
      await new Promise((resolve) => proxy.server.close(resolve));
      proxy.server.closeAllConnections();
    }
  });
});
