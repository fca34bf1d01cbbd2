import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance } from "fastify";

/** CSP hashes ('sha256-...') of the inline scripts of the built index.html (theme before first paint, prefetch). */
export function inlineScriptHashes(root: string): string[] {
  const file = join(root, "index.html");
  if (!existsSync(file)) return [];
  const html = readFileSync(file, "utf8");
  return [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => `'sha256-${createHash("sha256").update(m[1]!).digest("base64")}'`);
}

/** Serves the built web app, with index.html for client-side routes. */
export async function serveWeb(app: FastifyInstance, root: string): Promise<void> {
  if (!existsSync(join(root, "index.html"))) {
    app.log.warn({ root }, "no web build found: the UI is not served (run npm run build:web)");
    return;
  }
  await app.register(fastifyStatic, {
    root,
    prefix: "/",
    wildcard: false,
    setHeaders: (res, path) => {
      void res.header("cache-control", path.includes(join(root, "assets")) ? "public, max-age=31536000, immutable" : "no-cache");
    },
  });
  app.get("/*", { schema: { hide: true } }, async (request, reply) => {
    if (request.url.startsWith("/api/")) return reply.status(404).send({ error: { code: "not_found", message: `No route for ${request.method} ${request.url}` } });
    return reply.header("cache-control", "no-cache").sendFile("index.html");
  });
}
