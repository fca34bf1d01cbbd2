import Fastify, { type FastifyInstance, type FastifyReply } from "fastify";
import cookie from "@fastify/cookie";
import rateLimit from "@fastify/rate-limit";
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from "fastify-type-provider-zod";
import { sql } from "kysely";
import type { AppConfig } from "../config/resolve.js";
import type { Provider } from "../engine/provider.js";
import { dialectOf, type Db } from "../store/db.js";
import { ConflictError } from "../store/generations.js";
import { ensureLocalUser } from "../store/users.js";
import { GenerationManager } from "./chat/generations.js";
import { PostgresRelay } from "./chat/pg-relay.js";
import { InProcessRelay, type Relay } from "./chat/relay.js";
import { ChatService } from "./chat/service.js";
import { installRequestGuard } from "./guard.js";
import { DEFAULT_BODY_LIMIT, installRoutePolicy } from "./route-policy.js";
import { RouteTable } from "./route-table.js";
import { isUniqueViolation } from "../store/errors.js";
import { HttpError } from "./http-errors.js";
import { generationRoutes } from "./routes/generations.js";
import { preferencesRoutes } from "./routes/preferences.js";
import { profilesRoutes } from "./routes/profiles.js";
import { threadRoutes } from "./routes/threads.js";
import { attachmentRoutes, type AttachmentSettings } from "./routes/attachments.js";
import { mcpRoutes } from "./routes/mcp.js";
import { toolPermissionRoutes } from "./routes/tool-permissions.js";
import { McpTools, mcpAddressPolicy } from "./mcp.js";
import type { ListedServer } from "../tools/servers-file.js";
import { SECRET_KEY_REQUIRED, type SecretKeys } from "../secrets/secret-box.js";
import { attachmentResolver, attachmentSettings } from "./attachments.js";
import { sweepPendingAttachments } from "../store/attachments.js";
import { DOCUMENT_FORMATS, IMAGE_FORMATS } from "../attachments/detect.js";
import type { AuthMode } from "../auth/mode.js";
import type { OidcClient } from "../auth/oidc.js";
import { sweepAttempts } from "../store/login-attempts.js";
import { deleteExpiredSessions } from "../store/sessions.js";
import { AuthCookies } from "./auth/cookies.js";
import { installAuth } from "./auth/plugin.js";
import { announceSetup } from "./auth/setup-link.js";
import { UsageLimits, type LimitDefaults } from "./chat/limits.js";
import { adminRoutes } from "./routes/admin.js";
import { authRoutes } from "./routes/auth.js";
import { installSecurityHeaders, registerApiDocs } from "./security.js";
import { installCompression } from "./compression.js";
import { serveWeb } from "./web.js";
import { serializeRequest } from "./request-log.js";
import { trustProxyOption, type TrustedProxies } from "./trust-proxy.js";
// System prompts (issue 13)
import { PromptService } from "../prompts/service.js";
import { LocalPromptStore } from "../prompts/local/store.js";
import type { PromptStore } from "../prompts/types.js";
import type { SeedIds } from "../prompts/seed.js";
import { adminPromptRoutes } from "./routes/admin-prompts.js";
import { systemPromptRoutes } from "./routes/system-prompt.js";

export interface AppOptions {
  config: AppConfig;
  db: Db;
  provider: Provider;
  /** Origins the app answers for (PUBLIC_URL and loopback); others are refused. */
  origins: string[];
  /** More Host values accepted (ALLOWED_HOSTS: the ALB's name behind CloudFront); never origins. */
  allowedHosts?: string[];
  relay?: Relay;
  /** PostgreSQL URL of the database: instances then share live events through LISTEN/NOTIFY. */
  postgresUrl?: string;
  logLevel?: string;
  bodyLimitBytes?: number;
  flushMs?: number;
  titleGeneration?: "on" | "off";
  titleProfile?: string;
  /** How long running generations may finish on shutdown before they are saved as stopped (default 10 s). */
  shutdownGraceMs?: number;
  /** Directory of the built web app; omitted: no UI is served. */
  webRoot?: string;
  /** Sign-in mode (default none: the local user); `oidc` needs `oidc`. */
  authMode?: AuthMode;
  oidc?: OidcClient;
  /** The address users reach the app at (cookie flags, setup link, logout return). */
  publicUrl?: string;
  /** Per-user limits (defaults: 30 answers a minute, no spending cap). */
  limits?: Partial<LimitDefaults>;
  /** The proxies in front whose X-Forwarded-For entries are believed: how many (hops) or their address ranges; unset: none. */
  trustProxy?: TrustedProxies | undefined;
  /** Where log lines go (default stdout); tests read them. */
  logStream?: NodeJS.WritableStream;
  /** Sign-in attempts allowed per client address in 5 minutes (default 30). */
  signInAttemptsPerIp?: number;
  /** Attachment caps and where their bytes live (defaults: 30 MB per file or less by config, 1,000 MB per user, 30 uploads a minute, in the database). */
  attachments?: Partial<AttachmentSettings>;
  /** MCP tools: the keys that seal server headers, and whether private networks may be reached (MCP_ALLOW_PRIVATE_NETWORKS). */
  mcp?: { keys?: SecretKeys; allowPrivateNetworks?: boolean; callTimeoutMs?: number; /** MCP_SERVERS_FILE's servers. */ listed?: readonly ListedServer[] };
  /** Time source for sessions, lockouts and limits (tests move it). */
  clock?: () => Date;
  /** System prompts (issue 13): the store (default: the local one, in `db`), PROMPT_IDS, how long a pin is trusted. */
  prompts?: { store?: PromptStore; seedIds?: SeedIds; ttlMs?: number };
}

/** Body limit in bytes that fits the longest message config.json allows (16 MiB when it sets no limit). */
export function bodyLimitFor(config: AppConfig, overrideBytes?: number): number {
  if (overrideBytes) return Math.ceil(overrideBytes);
  if (!config.maxCharacters) return 16 * 1024 * 1024;
  return Math.max(1024 * 1024, config.maxCharacters * 4 + 256 * 1024);
}

/** The Fastify app: a thin shell that wires config, engine, store and routes together. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance & { generations: GenerationManager; setupToken: string | undefined; routeTable: RouteTable; prompts: PromptService }> {
  const app = Fastify({
    logger: {
      level: options.logLevel ?? "info",
      redact: ["req.headers.authorization", "req.headers.cookie"],
      serializers: { req: serializeRequest },
      ...(options.logStream ? { stream: options.logStream } : {}),
      ...(!options.logStream && process.stdout.isTTY && process.env["NODE_ENV"] !== "production" ? { transport: { target: "pino-pretty", options: { translateTime: "HH:MM:ss", ignore: "pid,hostname" } } } : {}),
    },
    // Routes set their own limits (route-policy.ts); this one is for anything registered outside that policy.
    bodyLimit: DEFAULT_BODY_LIMIT,
    return503OnClosing: true,
    trustProxy: trustProxyOption(options.trustProxy),
    // Refused before routing (no hook runs): a malformed percent-encoding, a path id longer than any id. Answered in
    // the API's error shape like every other refusal, instead of Fastify's own (which echoes the path).
    frameworkErrors: (error, _request, generic) => {
      const reply = generic as unknown as FastifyReply;
      if (error.code === "FST_ERR_BAD_URL") return void reply.status(400).send({ error: { code: "bad_url", message: "This address is not a valid URL (a % must be followed by two hex digits)." } });
      if (error.code === "FST_ERR_MAX_PARAM_LENGTH") return void reply.status(404).send({ error: { code: "not_found", message: "Not found" } });
      return void reply.send(error);
    },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string; validation?: unknown; validationContext?: string }, request, reply) => {
    if (error instanceof HttpError) return reply.status(error.statusCode).send({ error: { code: error.code, message: error.message } });
    if (error instanceof ConflictError) return reply.status(409).send({ error: { code: "conflict", message: error.message } });
    // A path id that is not an id names nothing: 404, as for an id that does not exist.
    if (error.validation && error.validationContext === "params") return reply.status(404).send({ error: { code: "not_found", message: "Not found" } });
    if (error.validation) return reply.status(400).send({ error: { code: "invalid_request", message: error.message } });
    // Two requests raced for one unique key (the loser of a check-then-insert): a conflict, never a 500.
    if (isUniqueViolation(error)) return reply.status(409).send({ error: { code: "conflict", message: "This already exists (another request created it at the same moment). Reload and try again." } });
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    if (status === 413) return reply.status(413).send({ error: { code: "too_large", message: "The request body is too large. Send a shorter message (BODY_LIMIT_MB sets the limit)." } });
    if (status === 400 && error.code === "FST_ERR_CTP_INVALID_JSON_BODY") return reply.status(400).send({ error: { code: "invalid_json", message: "The request body is not valid JSON." } });
    if (status >= 500) request.log.error({ err: error }, "request failed");
    return reply.status(status).send({ error: { code: status >= 500 ? "internal" : (error.code ?? "error").toLowerCase(), message: status >= 500 ? "Internal server error" : error.message } });
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({ error: { code: "not_found", message: `No route for ${request.method} ${request.url}` } });
  });

  installRoutePolicy(app, { largeBodyLimit: bodyLimitFor(options.config, options.bodyLimitBytes) });
  // After the policy (the table records it), before any route.
  const routeTable = RouteTable.collect(app);
  installRequestGuard(app, options.origins, options.allowedHosts);
  const clock = options.clock ?? (() => new Date());
  const authMode = options.authMode ?? "none";
  const cookies = new AuthCookies(options.publicUrl);
  const https = options.publicUrl?.startsWith("https://") ?? false;
  await app.register(cookie);
  await app.register(rateLimit, { global: false });
  await installSecurityHeaders(app, { https, webRoot: options.webRoot });
  // Before any route: it hooks each route as it is added.
  await installCompression(app);
  installAuth(app, { mode: authMode, db: options.db, cookies, clock, localUser: await ensureLocalUser(options.db) });
  if (authMode !== "none") {
    // Ended sessions and run-out sign-in attempts are removed at start and then hourly (they count for nothing).
    const sweep = () =>
      void Promise.all([deleteExpiredSessions(options.db, clock()), sweepAttempts(options.db, clock())]).catch((error: unknown) => app.log.warn({ err: error }, "removing expired sessions failed"));
    sweep();
    const timer = setInterval(sweep, 60 * 60_000).unref();
    app.addHook("onClose", async () => clearInterval(timer));
  }
  const attachments = attachmentSettings(options.config, options.attachments);
  // Uploads never sent are removed after a day (checked at start and hourly).
  const sweepUploads = () => void sweepPendingAttachments(options.db, attachments.blobs, clock()).catch((error: unknown) => app.log.warn({ err: error }, "removing old unsent uploads failed"));
  sweepUploads();
  const uploadsTimer = setInterval(sweepUploads, 60 * 60_000).unref();
  app.addHook("onClose", async () => clearInterval(uploadsTimer));
  const setupToken = authMode === "local" ? await announceSetup(options.db, clock(), options.publicUrl ?? options.origins[0] ?? "", app.log) : undefined;

  const relay = options.relay ?? (options.postgresUrl ? await PostgresRelay.connect(options.postgresUrl, options.db, app.log) : new InProcessRelay());
  const mcp = new McpTools({
    db: options.db,
    keys: options.mcp?.keys ?? { available: false, message: SECRET_KEY_REQUIRED },
    policy: mcpAddressPolicy(authMode, options.mcp?.allowPrivateNetworks ?? false),
    publicUrl: options.publicUrl,
    // Filled after listen() in tests: read when a sign-in needs it.
    origins: options.origins,
    ...(options.mcp?.callTimeoutMs ? { callTimeoutMs: options.mcp.callTimeoutMs } : {}),
    ...(options.mcp?.listed ? { listed: options.mcp.listed } : {}),
    authMode,
  });
  app.addHook("onClose", async () => mcp.closeAll());
  const generations = new GenerationManager({
    db: options.db,
    tools: (ownerId) => mcp.forTurn(ownerId),
    blobs: attachments.blobs,
    files: (ownerId) => attachmentResolver(options.db, attachments.blobs, ownerId),
    provider: options.provider,
    config: options.config,
    relay,
    log: app.log,
    ...(options.flushMs !== undefined ? { flushMs: options.flushMs } : {}),
    ...(options.titleGeneration ? { titleGeneration: options.titleGeneration } : {}),
    ...(options.titleProfile ? { titleProfile: options.titleProfile } : {}),
    clock,
    multiInstance: dialectOf(options.db) === "postgres",
  });
  const recovered = await generations.recoverOrphans();
  if (recovered) app.log.warn({ recovered }, "saved generations interrupted by the last shutdown as stopped");
  const limits = new UsageLimits(options.db, { ratePerMinute: options.limits?.ratePerMinute ?? 30, monthlyCap: options.limits?.monthlyCap ?? null }, clock);
  // System prompts (issue 13): kept and versioned in the prompt store (local by default), seeded at start.
  const prompts = new PromptService({
    db: options.db,
    store: options.prompts?.store ?? new LocalPromptStore(options.db, clock),
    config: options.config,
    ...(options.prompts?.seedIds ? { seedIds: options.prompts.seedIds } : {}),
    ...(options.prompts?.ttlMs !== undefined ? { ttlMs: options.prompts.ttlMs } : {}),
    clock,
    log: app.log,
  });
  await prompts.start();
  app.addHook("onClose", async () => prompts.close());
  const chat = new ChatService(options.db, options.config, generations, limits, prompts);
  const streams = new Set<() => void>();

  await registerApiDocs(app, { https });

  // Public (a load balancer asks it without signing in), so it says whether the server and its database answer, and
  // nothing about how the app is used.
  app.get("/healthz", { schema: { hide: true } }, async (_request, reply) => {
    try {
      await sql`select 1`.execute(options.db);
      return { status: "ok" };
    } catch {
      return reply.status(503).send({ status: "unavailable", error: "database unreachable" });
    }
  });
  await app.register(authRoutes, { mode: authMode, db: options.db, cookies, clock, oidc: options.oidc, attemptsPerIp: options.signInAttemptsPerIp ?? 30 });
  await app.register(adminRoutes, { db: options.db, mode: authMode, clock, config: options.config });
  await app.register(profilesRoutes, { config: options.config, attachments: { maxBytes: attachments.maxBytes, maxSetting: attachments.maxSetting, imageFormats: IMAGE_FORMATS, documentFormats: DOCUMENT_FORMATS } });
  await app.register(preferencesRoutes, { db: options.db });
  await app.register(threadRoutes, { db: options.db, blobs: attachments.blobs, chat, defaultProfile: options.config.defaultProfile.name });
  await app.register(attachmentRoutes, { db: options.db, settings: attachments, clock });
  await app.register(mcpRoutes, { db: options.db, mcp });
  await app.register(toolPermissionRoutes, { db: options.db });
  await app.register(generationRoutes, { generations, streams });
  // System prompts (issue 13): the admin Prompts page and the Settings panel's prompt in use.
  await app.register(adminPromptRoutes, { prompts, clock });
  await app.register(systemPromptRoutes, { db: options.db, config: options.config, prompts });
  if (options.webRoot) await serveWeb(app, options.webRoot);

  // Shutdown: stop accepting, let generations finish (up to 10 s), save the rest as stopped, end open streams.
  app.addHook("preClose", async () => {
    await generations.shutdown(options.shutdownGraceMs);
    for (const end of [...streams]) end();
    await relay.close();
  });
  return Object.assign(app, { generations, setupToken, routeTable, prompts });
}
