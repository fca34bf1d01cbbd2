import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** True when the server runs compiled (`npm run start:prod`, `node dist/server/main.js`), false under tsx (`npm start`). */
export const COMPILED = fileURLToPath(import.meta.url).endsWith(".js");

/** The production start found no web build: it never builds one itself (Vite is a dev dependency). */
export class WebBuildMissingError extends Error {
  override readonly name = "WebBuildMissingError";
}

/** The production start's check: the web app must have been built by `npm run build`. */
export function requireWebBuild(webRoot: string): void {
  const index = join(webRoot, "index.html");
  if (existsSync(index)) return;
  throw new WebBuildMissingError(`the web app is not built: ${index} is missing. Run \`npm run build\` (the server into dist/, the web app into web/dist/) before \`npm run start:prod\`.`);
}

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === "node_modules" || entry === "dist") continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

/** Builds the web app with Vite when the build is missing or older than its sources (npm start on a laptop). */
export async function ensureWebBuild(): Promise<void> {
  const web = join(ROOT, "web");
  const built = join(web, "dist", "index.html");
  if (!existsSync(web)) return;
  // src/shared holds code the web app imports too (the sign-in error catalogue), not only types.
  const sources = Math.max(newestMtime(join(web, "src")), newestMtime(join(ROOT, "src", "shared")), newestMtime(join(web, "index.html")), newestMtime(join(web, "vite.config.ts")), newestMtime(join(web, "precompress.ts")));
  if (existsSync(built) && statSync(built).mtimeMs >= sources) return;
  process.stdout.write("Building the web app (first start or changed sources)...\n");
  const { build } = await import("vite");
  await build({ configFile: join(web, "vite.config.ts"), root: web, logLevel: "warn" });
}
