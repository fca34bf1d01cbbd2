import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

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
  const sources = Math.max(newestMtime(join(web, "src")), newestMtime(join(ROOT, "src", "shared")), newestMtime(join(web, "index.html")), newestMtime(join(web, "vite.config.ts")));
  if (existsSync(built) && statSync(built).mtimeMs >= sources) return;
  process.stdout.write("Building the web app (first start or changed sources)...\n");
  const { build } = await import("vite");
  await build({ configFile: join(web, "vite.config.ts"), root: web, logLevel: "warn" });
}
