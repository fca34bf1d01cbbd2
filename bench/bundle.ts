/**
 * Initial download of the web app, in bytes on the wire as the real server sends them: index.html and the JS and CSS
 * it loads, each requested with no Accept-Encoding (what every browser got before precompression), with gzip only,
 * and with br and gzip (what Chromium, Firefox and Safari send), beside the files' sizes on disk. The server sends
 * the build's .br and .gz copies (web/precompress.ts), so the figures are those files' sizes, not estimates.
 * Target: initial JS+CSS under 200 KB on the wire with gzip (brotli is smaller still). Lazy chunks (KaTeX,
 * highlighting languages) are listed apart, and one JSON response of the API (the profiles, compressed per request).
 * Run: npm run bench:bundle
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { build } from "vite";
import { ROOT } from "../src/server/web-build.js";
import { startChatServer } from "../test/helpers/chat-server.js";

const web = join(ROOT, "web");
await build({ configFile: join(web, "vite.config.ts"), root: web, logLevel: "warn" });
const dist = join(web, "dist");
const html = readFileSync(join(dist, "index.html"), "utf8");
const initial = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]!);

const ENCODINGS = [
  { name: "none", accept: undefined },
  { name: "gzip", accept: "gzip" },
  { name: "br", accept: "gzip, deflate, br, zstd" },
] as const;
type Encoding = (typeof ENCODINGS)[number]["name"];

const server = await startChatServer({ webRoot: dist });

/** Bytes of the body as they came over the socket (not decoded), and the encoding the server chose. */
function onTheWire(path: string, accept: string | undefined): Promise<{ bytes: number; encoding: string }> {
  return new Promise((resolve, reject) => {
    request(server.url + path, { headers: { origin: server.url, ...(accept ? { "accept-encoding": accept } : {}) } }, (res) => {
      let bytes = 0;
      res.on("data", (chunk: Buffer) => (bytes += chunk.length));
      res.on("end", () => (res.statusCode === 200 ? resolve({ bytes, encoding: String(res.headers["content-encoding"] ?? "identity") }) : reject(new Error(`${path}: ${res.statusCode}`))));
    })
      .on("error", reject)
      .end();
  });
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const cell = (n: number, raw: number) => `${kb(n).padStart(9)} ${`(${Math.round((100 * n) / raw)}%)`.padStart(6)}`;

async function measure(path: string): Promise<Record<Encoding, number>> {
  const sizes = {} as Record<Encoding, number>;
  for (const { name, accept } of ENCODINGS) {
    const { bytes, encoding } = await onTheWire(path, accept);
    if (name !== "none" && encoding !== name) throw new Error(`${path}: asked for ${accept}, got ${encoding}`);
    sizes[name] = bytes;
  }
  return sizes;
}

const totals: Record<Encoding, number> = { none: 0, gzip: 0, br: 0 };
let totalRaw = 0;
let assetsGzip = 0;
let assetsBr = 0;
console.log(`bytes on the wire as served (first load), % of the file on disk:`);
console.log(`  ${"file".padEnd(34)} ${"on disk".padStart(9)}   ${"none".padStart(16)} ${"gzip".padStart(16)} ${"br".padStart(16)}`);
for (const file of ["index.html", ...initial]) {
  const raw = statSync(join(dist, file)).size;
  const wire = await measure(file === "index.html" ? "/" : `/${file}`);
  totalRaw += raw;
  for (const { name } of ENCODINGS) totals[name] += wire[name];
  if (file !== "index.html") {
    assetsGzip += wire.gzip;
    assetsBr += wire.br;
  }
  console.log(`  ${file.padEnd(34)} ${kb(raw).padStart(9)}   ${cell(wire.none, raw)} ${cell(wire.gzip, raw)} ${cell(wire.br, raw)}`);
}
console.log(`  ${"first load (all of the above)".padEnd(34)} ${kb(totalRaw).padStart(9)}   ${cell(totals.none, totalRaw)} ${cell(totals.gzip, totalRaw)} ${cell(totals.br, totalRaw)}`);
console.log(`initial JS+CSS on the wire with gzip: ${kb(assetsGzip)} (target < 200 KB) ${assetsGzip < 200 * 1024 ? "MET" : "MISSED"}; with br: ${kb(assetsBr)}`);

const lazy = readdirSync(join(dist, "assets")).filter((f) => /\.(js|css)$/.test(f) && !initial.includes(`assets/${f}`));
const copy = (file: string, ext: string) => {
  try {
    return statSync(join(dist, "assets", `${file}.${ext}`)).size;
  } catch {
    return statSync(join(dist, "assets", file)).size; // under 1 KB: sent as it is
  }
};
const lazyRaw = lazy.reduce((n, f) => n + statSync(join(dist, "assets", f)).size, 0);
const lazyGz = lazy.reduce((n, f) => n + copy(f, "gz"), 0);
const lazyBr = lazy.reduce((n, f) => n + copy(f, "br"), 0);
console.log(`lazy chunks: ${lazy.length} files, ${kb(lazyRaw)} on disk, ${kb(lazyGz)} gzip, ${kb(lazyBr)} br, loaded only when an answer needs them (KaTeX, highlighting languages)`);

const api = await measure("/api/profiles");
console.log(`API JSON (GET /api/profiles, compressed per request): ${kb(api.none)} none, ${kb(api.gzip)} gzip, ${kb(api.br)} br`);
await server.close();
