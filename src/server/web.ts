import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance } from "fastify";
import type {} from "@fastify/compress";

/** CSP hashes ('sha256-...') of the inline scripts of the built index.html (theme before first paint, prefetch). */
export function inlineScriptHashes(root: string): string[] {
  const file = join(root, "index.html");
  if (!existsSync(file)) return [];
  const html = readFileSync(file, "utf8");
  return [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => `'sha256-${createHash("sha256").update(m[1]!).digest("base64")}'`);
}

/** How long a browser may keep a file of the build: hashed names forever, the page never without asking. */
export function cacheControlFor(file: string): string {
  // Vite names what it emits under assets/ after its content's hash: a new build gives new names.
  if (file.startsWith("assets/")) return "public, max-age=31536000, immutable";
  // index.html names the current assets: revalidated on every load (ETag), so a deploy is seen at once.
  if (file.endsWith(".html")) return "no-cache";
  return "public, max-age=3600";
}

/** The build's files as URL paths (`assets/index-abc.js`), without the .br and .gz copies beside them. */
function builtFiles(root: string): Set<string> {
  const files = (readdirSync(root, { recursive: true }) as string[]).map((f) => f.split(sep).join("/"));
  return new Set(files.filter((f) => !/\.(?:br|gz)$/.test(f) && statSync(join(root, f)).isFile()));
}

/**
 * Serves the built web app, with index.html for client-side routes. Each file goes out as the build's brotli or
 * gzip copy when the browser accepts one (br first, then gzip, else the file; `Vary: Accept-Encoding`), never
 * compressed again per request.
 */
export async function serveWeb(app: FastifyInstance, root: string): Promise<void> {
  if (!existsSync(join(root, "index.html"))) {
    app.log.warn({ root }, "no web build found: the UI is not served (run npm run build:web)");
    return;
  }
  const files = builtFiles(root);
  await app.register(fastifyStatic, {
    root,
    // Routes of our own (below) choose the file; the plugin negotiates the encoding and sends it.
    serve: false,
    preCompressed: true,
    setHeaders: (res, path) => {
      void res.header("cache-control", cacheControlFor(relative(root, path).split(sep).join("/").replace(/\.(?:br|gz)$/, "")));
    },
  });
  app.get("/*", { schema: { hide: true }, compress: false }, async (request, reply) => {
    const path = (request.params as { "*": string })["*"];
    if (request.url.startsWith("/api/")) return reply.status(404).send({ error: { code: "not_found", message: `No route for ${request.method} ${request.url}` } });
    if (files.has(path)) return reply.sendFile(path);
    // A hashed file of another build (a tab open across a deploy): not found, rather than the page in its place.
    if (path.startsWith("assets/")) return reply.status(404).send({ error: { code: "not_found", message: "Not found" } });
    return reply.sendFile("index.html");
  });
}
