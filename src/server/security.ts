import helmet from "@fastify/helmet";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";
import { jsonSchemaTransform } from "fastify-type-provider-zod";
import { inlineScriptHashes } from "./web.js";

/**
 * Security headers: a Content-Security-Policy that lets the app work (its own scripts, plus the hashes of
 * index.html's inline ones; inline styles for computed element styles; data: fonts of KaTeX), no framing, nosniff;
 * HSTS and upgraded requests only when the public URL is https.
 */
export async function installSecurityHeaders(app: FastifyInstance, options: { https: boolean; webRoot?: string | undefined }): Promise<void> {
  await app.register(helmet, {
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
  });
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
