import { existsSync } from "node:fs";
import { join } from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance } from "fastify";

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
