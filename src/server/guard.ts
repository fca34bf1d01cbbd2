import type { FastifyInstance } from "fastify";

/**
 * Refuses requests for hosts and origins other than the app's own, so that a page on another site cannot drive
 * the local app through the browser (DNS rebinding, cross-site requests).
 */
export function installRequestGuard(app: FastifyInstance, origins: readonly string[]): void {
  app.addHook("onRequest", async (request, reply) => {
    // Read on every request: the list is short, and a server on a random port learns its own origin after listen().
    const allowedOrigins = new Set(origins.map((o) => new URL(o).origin));
    const allowedHosts = new Set(origins.map((o) => new URL(o).host));
    const host = request.headers.host ?? "";
    if (!allowedHosts.has(normalizeHost(host))) {
      return reply.status(421).send({
        error: { code: "wrong_host", message: `This server answers for ${[...allowedHosts].join(", ")}, not "${host}". Set PUBLIC_URL to the address you use.` },
      });
    }
    const origin = request.headers.origin;
    const changesState = !["GET", "HEAD", "OPTIONS"].includes(request.method);
    if (origin !== undefined && (changesState || request.url.startsWith("/api/")) && !allowedOrigins.has(origin)) {
      return reply.status(403).send({ error: { code: "wrong_origin", message: `Requests from ${origin} are not allowed.` } });
    }
    return undefined;
  });
}

/** "localhost:80" and "localhost" are the same host for http. */
function normalizeHost(host: string): string {
  try {
    return new URL(`http://${host}`).host;
  } catch {
    return host;
  }
}
