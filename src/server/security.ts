import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";
import { jsonSchemaTransform } from "fastify-type-provider-zod";
import helmet, { type HelmetOptions } from "helmet";
import type { IncomingMessage, ServerResponse } from "node:http";
import { inlineScriptHashes } from "./web.js";

/**
 * Security headers: a Content-Security-Policy that lets the app work (its own scripts, plus the hashes of
 * index.html's inline ones; inline styles for computed element styles; data: fonts of KaTeX), no framing, nosniff;
 * HSTS and upgraded requests only when the public URL is https. The headers depend on the configuration alone (no
 * nonces), so helmet computes them once at start and every response gets the same set: building helmet for each
 * request, as @fastify/helmet does, parsed the whole policy again each time (2% of the CPU under load).
 */
export async function installSecurityHeaders(app: FastifyInstance, options: { https: boolean; webRoot?: string | undefined }): Promise<void> {
  const headers = Object.entries(
    securityHeaders({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'", ...(options.webRoot ? inlineScriptHashes(options.webRoot) : [])],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", "data:", "blob:"],
          fontSrc: ["'self'", "data:"],
          connectSrc: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          upgradeInsecureRequests: options.https ? [] : null,
        },
      },
      hsts: options.https ? { maxAge: 31536000 } : false,
    }),
  );
  // On the raw response, so that event streams (written past Fastify) carry them too; a route's own header of the
  // same name (the API docs' policy) replaces it.
  app.addHook("onRequest", async (_request, reply) => {
    for (const [name, value] of headers) reply.raw.setHeader(name, value);
  });
}

/** The headers helmet's middleware sets for `options`, collected from one run against a response that records them. */
export function securityHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader: (name: string, value: unknown) => void (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => void delete headers[name.toLowerCase()],
  };
  let failure: unknown;
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => (failure = error));
  if (failure) throw failure;
  return headers;
}

/** OpenAPI at /api/docs. Its page has its own policy (hashes of its scripts), still refusing framing. */
export async function registerApiDocs(app: FastifyInstance, options: { https: boolean }): Promise<void> {
  await app.register(swagger, {
    openapi: { info: { title: "Foundational LLM Chat API", version: "1" } },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, {
    routePrefix: "/api/docs",
    staticCSP: true,
    transformStaticCSP: (header) =>
      header.replace("frame-ancestors 'self'", "frame-ancestors 'none'").replace(/\s*upgrade-insecure-requests;?/, options.https ? " upgrade-insecure-requests;" : ""),
  });
}
