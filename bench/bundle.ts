/**
 * Initial download of the web app: the JS and CSS index.html loads before anything else, gzipped.
 * Target: under 200 KB. Lazy chunks (KaTeX, highlighting languages) are listed apart.
 * Run: npm run bench:bundle
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "vite";
import { ROOT } from "../src/server/web-build.js";

const web = join(ROOT, "web");
await build({ configFile: join(web, "vite.config.ts"), root: web, logLevel: "warn" });
const dist = join(web, "dist");
const html = readFileSync(join(dist, "index.html"), "utf8");
const initial = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
const size = (file: string) => {
  const bytes = readFileSync(join(dist, file));
  return { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
};
let total = 0;
console.log("initial assets (loaded by index.html):");
for (const file of initial) {
  const s = size(file);
  total += s.gzip;
  console.log(`  ${file.padEnd(40)} ${(s.raw / 1024).toFixed(1).padStart(8)} KB raw ${(s.gzip / 1024).toFixed(1).padStart(7)} KB gzip`);
}
const lazy = readdirSync(join(dist, "assets")).filter((f) => /\.(js|css)$/.test(f) && !initial.includes(`assets/${f}`));
const lazyTotal = lazy.reduce((n, f) => n + size(`assets/${f}`).gzip, 0);
console.log(`initial JS+CSS gzip: ${(total / 1024).toFixed(1)} KB (target < 200 KB) ${total < 200 * 1024 ? "MET" : "MISSED"}`);
console.log(`lazy chunks: ${lazy.length} files, ${(lazyTotal / 1024).toFixed(1)} KB gzip, loaded only when an answer needs them (KaTeX, highlighting languages)`);
