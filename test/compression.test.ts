import { mkdtempSync, readFileSync, existsSync, rmSync } from "node:fs";
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../src/server/web-build.js";
import { useBedrockEmulator } from "./helpers/bedrock-env.js";
import { startChatServer, type ChatServer } from "./helpers/chat-server.js";

// The real web build (the Vite config with its precompress plugin) into a directory of this test's own, served by
// the real server: what a browser receives, byte for byte, for each Accept-Encoding.
const env = useBedrockEmulator();
let dist: string;
let server: ChatServer;
let mainScript: string;
let mainCss: string;

interface Raw {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body as it came over the socket (not decoded). */
  body: Buffer;
  /** When each chunk arrived (ms since the request). */
  chunks: { at: number; bytes: number }[];
}

/** A GET with node:http (no client-side decoding, no encoding asked unless given). */
function get(path: string, headers: Record<string, string> = {}): Promise<Raw> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    httpRequest(server.url + path, { headers: { origin: server.url, ...headers } }, (res) => {
      const parts: Buffer[] = [];
      const chunks: Raw["chunks"] = [];
      res.on("data", (chunk: Buffer) => {
        parts.push(chunk);
        chunks.push({ at: Date.now() - started, bytes: chunk.length });
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts), chunks }));
      res.on("error", reject);
    })
      .on("error", reject)
      .end();
  });
}

const onDisk = (file: string) => readFileSync(join(dist, file));

beforeAll(async () => {
  dist = mkdtempSync(join(tmpdir(), "chat-web-"));
  const { build } = await import("vite");
  await build({ configFile: join(ROOT, "web", "vite.config.ts"), root: join(ROOT, "web"), logLevel: "warn", build: { outDir: dist, emptyOutDir: true } });
  const html = readFileSync(join(dist, "index.html"), "utf8");
  mainScript = html.match(/<script type="module"[^>]* src="\/(assets\/[^"]+\.js)"/)![1]!;
  mainCss = html.match(/<link rel="stylesheet"[^>]* href="\/(assets\/[^"]+\.css)"/)![1]!;
  server = await startChatServer({ webRoot: dist });
}, 180_000);

afterAll(async () => {
  await server?.close();
  if (dist) rmSync(dist, { recursive: true, force: true });
});

describe("the build's precompressed files", () => {
  it("has a brotli and a gzip copy beside the main script and CSS, brotli < gzip < raw, each the same bytes once decoded", () => {
    for (const file of [mainScript, mainCss, "index.html"]) {
      const raw = onDisk(file);
      const br = onDisk(`${file}.br`);
      const gz = onDisk(`${file}.gz`);
      expect(brotliDecompressSync(br).equals(raw), file).toBe(true);
      expect(gunzipSync(gz).equals(raw), file).toBe(true);
      expect(br.length, file).toBeLessThan(gz.length);
      expect(gz.length, file).toBeLessThan(raw.length);
    }
  });

  it("leaves out files under 1 KB and formats that are compressed already (woff2)", async () => {
    const { readdirSync, statSync } = await import("node:fs");
    const assets = readdirSync(join(dist, "assets"));
    const small = assets.find((f) => f.endsWith(".js") && statSync(join(dist, "assets", f)).size < 1024);
    if (small) expect(existsSync(join(dist, "assets", `${small}.br`))).toBe(false);
    const font = assets.find((f) => f.endsWith(".woff2"));
    expect(font).toBeDefined();
    expect(assets.filter((f) => f.startsWith(`${font}.`))).toEqual([]);
  });
});

describe("static files as served", () => {
  it("sends the main script as brotli to a browser that accepts br and gzip, the .br file's exact bytes", async () => {
    const res = await get(`/${mainScript}`, { "accept-encoding": "gzip, deflate, br, zstd" });
    expect(res.status).toBe(200);
    expect(res.headers["content-encoding"]).toBe("br");
    expect(res.headers["content-type"]).toMatch(/^(text|application)\/javascript/);
    expect(res.headers["vary"]).toMatch(/accept-encoding/i);
    expect(res.body.equals(onDisk(`${mainScript}.br`))).toBe(true);
    expect(Number(res.headers["content-length"])).toBe(onDisk(`${mainScript}.br`).length);
    expect(res.body.length).toBeLessThan(onDisk(mainScript).length / 3);
  });

  it("sends gzip to a gzip-only client and the file itself to one that asks for no encoding", async () => {
    const gz = await get(`/${mainScript}`, { "accept-encoding": "gzip" });
    expect(gz.headers["content-encoding"]).toBe("gzip");
    expect(gz.headers["vary"]).toMatch(/accept-encoding/i);
    expect(gz.body.equals(onDisk(`${mainScript}.gz`))).toBe(true);
    const plain = await get(`/${mainScript}`);
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.headers["vary"]).toMatch(/accept-encoding/i);
    expect(plain.body.equals(onDisk(mainScript))).toBe(true);
    const identity = await get(`/${mainScript}`, { "accept-encoding": "identity" });
    expect(identity.headers["content-encoding"]).toBeUndefined();
    expect(identity.body.length).toBe(onDisk(mainScript).length);
    // br refused by quality 0: gzip.
    const noBr = await get(`/${mainCss}`, { "accept-encoding": "br;q=0, gzip" });
    expect(noBr.headers["content-encoding"]).toBe("gzip");
    expect(noBr.body.equals(onDisk(`${mainCss}.gz`))).toBe(true);
  });

  it("caches hashed files for a year (immutable), index.html and client routes never without revalidating", async () => {
    const immutable = "public, max-age=31536000, immutable";
    for (const file of [mainScript, mainCss]) {
      for (const accept of ["br", "gzip", ""]) {
        expect((await get(`/${file}`, accept ? { "accept-encoding": accept } : {})).headers["cache-control"], `${file} ${accept}`).toBe(immutable);
      }
    }
    for (const path of ["/", "/index.html", "/threads/0193e2a0-0000-7000-8000-000000000000", "/admin/users"]) {
      const res = await get(path, { "accept-encoding": "br, gzip" });
      expect(res.status, path).toBe(200);
      expect(res.headers["cache-control"], path).toBe("no-cache");
      expect(res.headers["content-type"], path).toMatch(/^text\/html/);
      expect(res.headers["vary"], path).toMatch(/accept-encoding/i);
      expect(res.headers["content-encoding"], path).toBe("br");
      expect(brotliDecompressSync(res.body).toString("utf8"), path).toMatch(/<div id="root">/);
      // The security headers are kept.
      expect(res.headers["content-security-policy"], path).toMatch(/default-src 'self'/);
      expect(res.headers["x-content-type-options"], path).toBe("nosniff");
    }
  });

  it("sends a file the build left uncompressed (under 1 KB) as it is, never compressed per request", async () => {
    const { readdirSync, statSync } = await import("node:fs");
    const small = readdirSync(join(dist, "assets")).find((f) => f.endsWith(".js") && statSync(join(dist, "assets", f)).size < 1024)!;
    expect(small).toBeDefined();
    const res = await get(`/assets/${small}`, { "accept-encoding": "br, gzip" });
    expect(res.status).toBe(200);
    expect(res.headers["content-encoding"]).toBeUndefined();
    expect(res.body.equals(onDisk(`assets/${small}`))).toBe(true);
    expect(res.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
  });

  it("answers a revalidation of index.html with 304 (no-cache costs no body when nothing changed)", async () => {
    const first = await get("/", { "accept-encoding": "br" });
    expect(first.headers["etag"]).toBeDefined();
    const again = await get("/", { "accept-encoding": "br", "if-none-match": first.headers["etag"]! });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
  });

  it("answers 404 for a hashed file that is not in the build (never the page in its place), and never serves the .br copy by its name", async () => {
    const missing = await get("/assets/index-00000000.js", { "accept-encoding": "br" });
    expect(missing.status).toBe(404);
    expect(missing.headers["content-type"]).toMatch(/^application\/json/);
    expect((await get(`/${mainScript}.br`)).status).toBe(404);
  });
});

describe("API responses", () => {
  it("compresses a large JSON response (the profiles) with brotli or gzip as accepted, and not for a client that asks for none", async () => {
    const plain = await get("/api/profiles");
    expect(plain.status).toBe(200);
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.body.length).toBeGreaterThan(2048);
    const json = JSON.parse(plain.body.toString("utf8"));

    const br = await get("/api/profiles", { "accept-encoding": "gzip, deflate, br" });
    expect(br.headers["content-encoding"]).toBe("br");
    expect(br.headers["content-type"]).toMatch(/^application\/json/);
    expect(br.headers["vary"]).toMatch(/accept-encoding/i);
    expect(JSON.parse(brotliDecompressSync(br.body).toString("utf8"))).toEqual(json);
    expect(br.body.length).toBeLessThan(plain.body.length / 2);

    const gz = await get("/api/profiles", { "accept-encoding": "gzip" });
    expect(gz.headers["content-encoding"]).toBe("gzip");
    expect(JSON.parse(gunzipSync(gz.body).toString("utf8"))).toEqual(json);
    // Not offered: only br and gzip.
    expect((await get("/api/profiles", { "accept-encoding": "deflate" })).headers["content-encoding"]).toBeUndefined();
  });

  it("sends a small JSON response (under 1 KB) as it is", async () => {
    for (const path of ["/healthz", "/api/session"]) {
      const res = await get(path, { "accept-encoding": "br, gzip" });
      expect(res.status, path).toBe(200);
      expect(res.body.length, path).toBeLessThan(1024);
      expect(res.headers["content-encoding"], path).toBeUndefined();
      expect(() => JSON.parse(res.body.toString("utf8")), path).not.toThrow();
    }
  });

  it("streams an answer's server-sent events uncompressed and unbuffered to a client that accepts br and gzip", async () => {
    const headers = { origin: server.url, "x-requested-with": "fetch", "content-type": "application/json" };
    const created = await (await fetch(`${server.url}/api/threads`, { method: "POST", headers, body: "{}" })).json();
    env.emulator.enqueue({ blocks: [{ text: "one two three four five six seven eight nine ten" }], deltas: 10, delayMs: 80 });
    const posted = await fetch(`${server.url}/api/threads/${created.thread.id}/messages`, { method: "POST", headers, body: JSON.stringify({ text: "count to ten" }) });
    expect(posted.status).toBe(202);
    const { generationId } = await posted.json();
    const res = await get(`/api/generations/${generationId}/events`, { "accept-encoding": "br, gzip" });
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/event-stream/);
    expect(res.headers["content-encoding"]).toBeUndefined();
    const text = res.body.toString("utf8");
    expect(text).toMatch(/^retry: 1000\n\n/);
    expect(text).toMatch(/event: done\n/);
    const deltas = [...text.matchAll(/^event: text\ndata: (.*)$/gm)].map((m) => JSON.parse(m[1]!).delta as string);
    expect(deltas.join("")).toBe("one two three four five six seven eight nine ten");
    // Incremental: the bytes came in many pieces, spread over the answer's time (10 deltas, 80 ms apart).
    expect(res.chunks.length).toBeGreaterThanOrEqual(5);
    expect(res.chunks.at(-1)!.at - res.chunks[0]!.at).toBeGreaterThan(400);
  });
});
