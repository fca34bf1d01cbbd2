import { z } from "zod";

/** Environment settings of the server, validated once at start. Every variable is documented in the README. */
const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().trim().min(1).default("127.0.0.1"),
  CONFIG_PATH: z.string().optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  DATA_DIR: z.string().trim().min(1).default("./data"),
  /** The address users reach the app at; requests for other hosts or origins are refused. */
  PUBLIC_URL: z.url().optional(),
  BODY_LIMIT_MB: z.coerce.number().positive().optional(),
  TITLE_GENERATION: z.enum(["on", "off"]).default("on"),
  TITLE_PROFILE: z.string().optional(),
  /** PostgreSQL instead of the embedded SQLite file (postgres://user:password@host:5432/db). */
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//i, "must be a postgres:// URL").optional(),
  /** Sign-in: none (loopback only), local accounts, or OpenID Connect; default none on loopback, else local. */
  AUTH_MODE: z.enum(["none", "local", "oidc"]).optional(),
  OIDC_ISSUER: z.url().optional(),
  OIDC_CLIENT_ID: z.string().min(1).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  OIDC_REDIRECT_URI: z.url().optional(),
  OIDC_ALLOWED_EMAIL_DOMAINS: z.string().optional(),
  OIDC_ADMIN_GROUP: z.string().min(1).optional(),
  /** Trust X-Forwarded-For from a proxy in front (a load balancer) for client addresses in rate limits and logs. */
  TRUST_PROXY: z.enum(["true", "false"]).default("false"),
  /** Default per-user limit of answers started per minute (admins can set it per user). */
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(30),
  /** Default per-user monthly spending cap in USD; unset: no cap (admins can set one per user). */
  MONTHLY_SPEND_CAP_USD: z.string().regex(/^\d+(\.\d+)?$/, "must be an amount in dollars such as 25 or 7.50").optional(),
});

export type ServerEnv = z.output<typeof envSchema>;

/** The origins the app answers for: PUBLIC_URL and the loopback addresses of PORT. */
export function allowedOrigins(env: ServerEnv): string[] {
  const origins = [`http://localhost:${env.PORT}`, `http://127.0.0.1:${env.PORT}`, `http://[::1]:${env.PORT}`];
  if (env.PUBLIC_URL) origins.unshift(new URL(env.PUBLIC_URL).origin);
  return origins;
}

export class EnvError extends Error {
  override readonly name = "EnvError";
}

export function readServerEnv(env: NodeJS.ProcessEnv = process.env): ServerEnv {
  const parsed = envSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}=${JSON.stringify(env[String(issue.path[0])])}: ${issue.message}`);
  throw new EnvError(`invalid environment: ${problems.join("; ")}`);
}
