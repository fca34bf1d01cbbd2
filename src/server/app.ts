import Fastify, { type FastifyInstance } from "fastify";
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from "fastify-type-provider-zod";
import type { AppConfig } from "../config/resolve.js";
import { profilesRoutes } from "./routes/profiles.js";

export interface AppOptions {
  config: AppConfig;
  logLevel?: string;
}

/** The Fastify app: a thin shell that wires config, engine and routes together. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: { level: options.logLevel ?? "info", redact: ["req.headers.authorization", "req.headers.cookie"] },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  app.setErrorHandler((error: { statusCode?: number; code?: string; message: string; validation?: unknown }, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, "request failed");
    const code = error.validation ? "invalid_request" : status === 500 ? "internal" : (error.code ?? "error").toLowerCase();
    void reply.status(status).send({ error: { code, message: status === 500 ? "Internal server error" : error.message } });
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({ error: { code: "not_found", message: `No route for ${request.method} ${request.url}` } });
  });

  app.get("/healthz", async () => ({ status: "ok" }));
  await app.register(profilesRoutes, { config: options.config });
  return app;
}
