import type { FastifyInstance } from "fastify";

/** What a route declares in its `config`: who may call it and how large a body it takes. */
export interface RoutePolicy {
  /** Callable without a session (health, sign-in itself, the session probe, the API page, the web app). */
  public?: boolean;
  /** Takes a long message or system prompt: the configured large body limit instead of the default. */
  largeBody?: boolean;
}

/** Bodies before sign-in: credentials and a setup token fit in a few KB. */
export const PUBLIC_BODY_LIMIT = 8 * 1024;
/** Bodies of signed-in routes that carry no long text (settings, admin forms). */
export const DEFAULT_BODY_LIMIT = 256 * 1024;

/** Default for routes that do not say: everything under /api/ needs a session, except the session probe and the API page. */
function publicByDefault(pattern: string): boolean {
  return pattern === "/api/session" || pattern === "/api/docs" || pattern.startsWith("/api/docs/") || !pattern.startsWith("/api/");
}

/**
 * Resolves each route's policy once, when it is registered, from its own pattern and config (never from a
 * request's raw URL, which an encoded path would disguise), and sets its body limit: small before sign-in,
 * large only where a signed-in route needs it.
 */
export function installRoutePolicy(app: FastifyInstance, options: { largeBodyLimit: number }): void {
  app.addHook("onRoute", (route) => {
    const declared = (route.config ?? {}) as RoutePolicy;
    const policy: RoutePolicy = { ...declared, public: declared.public ?? publicByDefault(route.url ?? route.path) };
    route.config = { ...route.config, ...policy } as NonNullable<typeof route.config>;
    route.bodyLimit ??= policy.public ? PUBLIC_BODY_LIMIT : policy.largeBody ? options.largeBodyLimit : DEFAULT_BODY_LIMIT;
  });
}

/** The matched route's policy; a request that matched no route (a 404) needs no user. */
export function policyOf(request: { routeOptions: { url?: string | undefined; config: unknown } }): RoutePolicy {
  if (request.routeOptions.url === undefined) return { public: true };
  return request.routeOptions.config as RoutePolicy;
}
