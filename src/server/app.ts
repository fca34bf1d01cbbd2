import Fastify, { type FastifyInstance } from "fastify";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from "fastify-type-provider-zod";
import { sql } from "kysely";
import type { AppConfig } from "../config/resolve.js";
import type { Provider } from "../engine/provider.js";
import type { Db } from "../store/db.js";
import { ConflictError } from "../store/generations.js";
import { ensureLocalUser } from "../store/users.js";
import { GenerationManager } from "./chat/generations.js";
import { InProcessRelay, type Relay } from "./chat/relay.js";
import { ChatService } from "./chat/service.js";
import { installRequestGuard } from "./guard.js";
import { HttpError } from "./http-errors.js";
import { generationRoutes } from "./routes/generations.js";
import { profilesRoutes } from "./routes/profiles.js";
import { threadRoutes } from "./routes/threads.js";
import { installLocalUser } from "./user-context.js";
import { serveWeb } from "./web.js";

export interface AppOptions {
  config: AppConfig;
  db: Db;
  provider: Provider;
  /** Origins the app answers for (PUBLIC_URL and loopback); others are refused. */
  origins: string[];
  relay?: Relay;
  logLevel?: string;
  bodyLimitBytes?: number;
  flushMs?: number;
  titleGeneration?: "on" | "off";
  titleProfile?: string;
  /** How long running generations may finish on shutdown before they are saved as stopped (default 10 s). */
  shutdownGraceMs?: number;
  /** Directory of the built web app; omitted: no UI is served. */
  webRoot?: string;
}

/** Body limit in bytes that fits the longest message config.json allows (16 MiB when it sets no limit). */
export function bodyLimitFor(config: AppConfig, overrideBytes?: number): number {
  if (overrideBytes) return Math.ceil(overrideBytes);
  if (!config.maxCharacters) return 16 * 1024 * 1024;
  return Math.max(1024 * 1024, config.maxCharacters * 4 + 256 * 1024);
}

/** The Fastify app: a thin shell that wires config, engine, store and routes together. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance & { generations: GenerationManager }> {
  const app = Fastify({
    logger: {
      level: options.logLevel ?? "info",
      redact: ["req.headers.authorization", "req.headers.cookie"],
      ...(process.stdout.isTTY && process.env["NODE_ENV"] !== "production" ? { transport: { target: "pino-pretty", options: { translateTime: "HH:MM:ss", ignore: "pid,hostname" } } } : {}),
    },
    bodyLimit: bodyLimitFor(options.config, options.bodyLimitBytes),
    return503OnClosing: true,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string; validation?: unknown }, request, reply) => {
    if (error instanceof HttpError) return reply.status(error.statusCode).send({ error: { code: error.code, message: error.message } });
    if (error instanceof ConflictError) return reply.status(409).send({ error: { code: "conflict", message: error.message } });
    if (error.validation) return reply.status(400).send({ error: { code: "invalid_request", message: error.message } });
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    if (status === 413) return reply.status(413).send({ error: { code: "too_large", message: "The request body is too large. Send a shorter message (BODY_LIMIT_MB sets the limit)." } });
    if (status === 400 && error.code === "FST_ERR_CTP_INVALID_JSON_BODY") return reply.status(400).send({ error: { code: "invalid_json", message: "The request body is not valid JSON." } });
    if (status >= 500) request.log.error({ err: error }, "request failed");
    return reply.status(status).send({ error: { code: status >= 500 ? "internal" : (error.code ?? "error").toLowerCase(), message: status >= 500 ? "Internal server error" : error.message } });
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({ error: { code: "not_found", message: `No route for ${request.method} ${request.url}` } });
  });

  installRequestGuard(app, options.origins);
  installLocalUser(app, await ensureLocalUser(options.db));

  const relay = options.relay ?? new InProcessRelay();
  const generations = new GenerationManager({
    db: options.db,
    provider: options.provider,
    config: options.config,
    relay,
    log: app.log,
    ...(options.flushMs !== undefined ? { flushMs: options.flushMs } : {}),
    ...(options.titleGeneration ? { titleGeneration: options.titleGeneration } : {}),
    ...(options.titleProfile ? { titleProfile: options.titleProfile } : {}),
  });
  const recovered = await generations.recoverOrphans();
  if (recovered) app.log.warn({ recovered }, "saved generations interrupted by the last shutdown as stopped");
  const chat = new ChatService(options.db, options.config, generations);
  const streams = new Set<() => void>();

  await app.register(swagger, {
    openapi: { info: { title: "Foundational LLM Chat API", version: "1" } },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: "/api/docs" });

  app.get("/healthz", { schema: { hide: true } }, async (_request, reply) => {
    try {
      await sql`select 1`.execute(options.db);
      return { status: "ok", generations: generations.runningCount() };
    } catch {
      return reply.status(503).send({ status: "unavailable", error: "database unreachable" });
    }
  });
  app.get("/api/session", { schema: { tags: ["session"] } }, async (request) => ({ user: request.user, authMode: "none" }));
  await app.register(profilesRoutes, { config: options.config });
  await app.register(threadRoutes, { db: options.db, chat, defaultProfile: options.config.defaultProfile.name });
  await app.register(generationRoutes, { generations, streams });
  if (options.webRoot) await serveWeb(app, options.webRoot);

  // Shutdown: stop accepting, let generations finish (up to 10 s), save the rest as stopped, end open streams.
  app.addHook("preClose", async () => {
    await generations.shutdown(options.shutdownGraceMs);
    for (const end of [...streams]) end();
    await relay.close();
  });
  return Object.assign(app, { generations });
}
