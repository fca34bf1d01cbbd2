import type { FastifyInstance } from "fastify";

/**
 * Refuses requests for hosts and origins other than the app's own, so that a page on another site cannot drive
 * the local app through the browser (DNS rebinding, cross-site requests).
 */
export function installRequestGuard(app: FastifyInstance, origins: readonly string[], extraHosts: readonly string[] = []): void {
  // Parsed again only when the list changes: a server on a random port learns its own origin after listen() (tests).
  let parsedFrom = "";
  let allowedOrigins = new Set<string>();
  let hosts = new Set<string>();
  const current = () => {
    const key = origins.join("\n");
    if (key !== parsedFrom) {
      parsedFrom = key;
      allowedOrigins = new Set(origins.map((o) => new URL(o).origin));
      hosts = allowedHosts(origins);
      // ALLOWED_HOSTS (behind CloudFront, the ALB's name): accepted as Host only; Origin must still be one of `origins`.
      for (const extra of extraHosts) hosts.add(extra.toLowerCase());
    }
  };
  app.addHook("onRequest", async (request, reply) => {
    const routeUrl = request.routeOptions.url;
    // A load balancer's health check uses the task's own address as Host; /healthz tells nothing and changes nothing.
    if (routeUrl === HEALTH_ROUTE && request.method === "GET") return undefined;
    current();
    const host = request.headers.host ?? "";
    if (!hosts.has(host.toLowerCase())) {
      const expected = [...new Set([...origins.map((o) => new URL(o).host), ...extraHosts])].join(", ");
      return reply.status(421).send({
        error: { code: "wrong_host", message: `This server answers for ${expected}, not "${host}". Set PUBLIC_URL to the address you use.` },
      });
    }
    const origin = request.headers.origin;
    const changesState = !["GET", "HEAD", "OPTIONS"].includes(request.method);
    // API reads are refused to other origins too. Whether this is the API comes from the route the router
    // matched (an encoded path such as /%61pi/threads matches /api/threads), never from the raw URL; a request
    // that matched no route is treated as the API.
    const api = (routeUrl ?? "/api/").startsWith("/api/");
    if (origin !== undefined && (changesState || api) && !allowedOrigins.has(origin)) {
      return reply.status(403).send({ error: { code: "wrong_origin", message: `Requests from ${origin} are not allowed.` } });
    }
    return undefined;
  });
}

/** Answers any Host (see installRequestGuard). */
export const HEALTH_ROUTE = "/healthz";

const DEFAULT_PORTS: Record<string, string> = { "http:": "80", "https:": "443" };

/**
 * The Host header values the app answers for, lower-case: each origin's host[:port] exactly as it is written, and
 * on the default port both `localhost` and `localhost:80` (`:443` for https). A Host header must equal one of them.
 */
export function allowedHosts(origins: readonly string[]): Set<string> {
  const hosts = new Set<string>();
  for (const origin of origins) {
    const url = new URL(origin);
    hosts.add(url.host);
    const defaultPort = DEFAULT_PORTS[url.protocol];
    if (url.port === "" && defaultPort) hosts.add(`${url.hostname}:${defaultPort}`);
  }
  return hosts;
}
