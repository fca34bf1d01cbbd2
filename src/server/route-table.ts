import type { FastifyInstance } from "fastify";
import type { RoutePolicy } from "./route-policy.js";

/** One registered route, as the router matches it: one entry per method. */
export interface RouteEntry {
  method: string;
  /** The pattern, prefix included: `/api/threads/:id`. */
  url: string;
  /** Its resolved policy (route-policy.ts): whether it is callable without a session. */
  public: boolean;
  bodyLimit: number | undefined;
  /** The route's schemas as declared (zod schemas for the app's own routes), or undefined. */
  schema: { body?: unknown; params?: unknown; querystring?: unknown } | undefined;
}

/**
 * Every route the app registers, collected as it registers them (an `onRoute` hook installed before any route):
 * tests walk it, so a new route is covered without editing them. The HEAD and OPTIONS twins Fastify adds to
 * GET routes are left out.
 */
export class RouteTable {
  readonly #routes: RouteEntry[] = [];

  /** Installs the collector; call it before registering routes (after installRoutePolicy, to see the policy). */
  static collect(app: FastifyInstance): RouteTable {
    const table = new RouteTable();
    app.addHook("onRoute", (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      const url = route.url ?? route.path;
      const policy = (route.config ?? {}) as RoutePolicy;
      for (const method of methods) {
        if (method === "HEAD" || method === "OPTIONS") continue;
        table.#routes.push({ method, url, public: policy.public === true, bodyLimit: route.bodyLimit, schema: route.schema as RouteEntry["schema"] });
      }
    });
    return table;
  }

  get routes(): readonly RouteEntry[] {
    return this.#routes;
  }
}
