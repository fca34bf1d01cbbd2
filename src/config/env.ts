import { isIP } from "node:net";
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
  /** PostgreSQL from the fields of a database secret (the AWS deployment injects them), instead of DATABASE_URL. */
  DATABASE_HOST: z.string().trim().min(1).optional(),
  DATABASE_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  DATABASE_NAME: z.string().trim().min(1).optional(),
  DATABASE_USER: z.string().min(1).optional(),
  DATABASE_PASSWORD: z.string().min(1).optional(),
  /** PEM bundle of the CAs the PostgreSQL server's certificate must chain to: TLS is then required and verified. */
  DATABASE_CA_FILE: z.string().trim().min(1).optional(),
  /** More Host header values to answer for (e.g. the load balancer's DNS name behind CloudFront); Origin must still be PUBLIC_URL's. */
  ALLOWED_HOSTS: z
    .string()
    .transform(listOfEntries)
    .pipe(
      z.array(z.string()).refine((entries) => entries.every(isHostEntry), {
        error: (issue) => `${(issue.input as string[]).filter((e) => !isHostEntry(e)).map((e) => JSON.stringify(e)).join(", ")} must be host names with an optional port, such as chat-alb-123.us-west-2.elb.amazonaws.com`,
      }),
    )
    .transform((entries) => entries.map((entry) => entry.toLowerCase()))
    .optional(),
  /** Sign-in: none (loopback only), local accounts, or OpenID Connect; default none on loopback, else local. */
  AUTH_MODE: z.enum(["none", "local", "oidc"]).optional(),
  OIDC_ISSUER: z.url().optional(),
  OIDC_CLIENT_ID: z.string().min(1).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  OIDC_REDIRECT_URI: z.url().optional(),
  OIDC_ALLOWED_EMAIL_DOMAINS: z.string().optional(),
  /** An email sent without an `email_verified` claim counts as verified (providers that never send it). */
  OIDC_TRUST_UNVERIFIED_EMAIL: z.enum(["true", "false"], "must be true or false").default("false").transform((value) => value === "true"),
  OIDC_ADMIN_GROUP: z.string().min(1).optional(),
  /** How many proxies in front of the app write X-Forwarded-For: the client is the Nth address from the right. */
  TRUST_PROXY_HOPS: z
    .string()
    .trim()
    .regex(/^\d+$/, "must be the number of proxies in front of the app, from 1 to 10")
    .transform(Number)
    .pipe(z.number().int().min(1, "must be at least 1 (unset it when no proxy is in front)").max(10, "must be at most 10 (count the proxies in front of the app)"))
    .optional(),
  /** Address ranges of the proxies in front: X-Forwarded-For is read only through these, from the right. */
  TRUSTED_PROXIES: z
    .string()
    .transform(listOfEntries)
    .pipe(
      z
        .array(z.string())
        .min(1, "lists no address: give the proxies' addresses or ranges, such as 10.0.0.0/8")
        .refine((entries) => entries.every(isAddressRange), {
          error: (issue) => `${notAddressRanges(issue.input as string[])} must be IP addresses or CIDR ranges, such as 10.0.0.0/8 or fd00::/8`,
        }),
    )
    .optional(),
  /** Default per-user limit of answers started per minute (admins can set it per user). */
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(30),
  /** Largest attachment in MB (1,000,000 bytes), on top of max_content_size_mb_parameter. */
  ATTACHMENT_MAX_MB: z.coerce.number().positive().max(1000).default(30),
  /** Storage per user for attachments, in MB. */
  ATTACHMENT_QUOTA_MB: z.coerce.number().positive().default(1000),
  /** Uploads a user may make per minute. */
  ATTACHMENT_UPLOADS_PER_MINUTE: z.coerce.number().int().positive().default(30),
  /** Keep attachment bytes in this S3 bucket instead of the database. */
  ATTACHMENTS_BUCKET: z.string().trim().min(3).optional(),
  /** The account id that owns ATTACHMENTS_BUCKET, sent to Bedrock with S3 locations. */
  ATTACHMENTS_BUCKET_OWNER: z.string().regex(/^\d{12}$/, "must be a 12-digit AWS account id").optional(),
  /** The key that seals MCP server headers and tokens at rest: 32 random bytes, base64 (openssl rand -base64 32). */
  SECRET_KEY: z.string().optional(),
  /** Earlier SECRET_KEYs (comma-separated), to read what they sealed after a rotation. */
  SECRET_KEY_PREVIOUS: z.string().optional(),
  /** 1: MCP servers on private networks (and cloud metadata addresses) may be reached. */
  MCP_ALLOW_PRIVATE_NETWORKS: z.enum(["0", "1"]).default("0"),
  /** A JSON file of MCP servers the admin offers every user (stdio programs, HTTP servers): src/tools/servers-file.ts. */
  MCP_SERVERS_FILE: z.string().min(1).optional(),
  /** Default per-user monthly spending cap in USD; unset: no cap (admins can set one per user). */
  MONTHLY_SPEND_CAP_USD: z.string().regex(/^\d+(\.\d+)?$/, "must be an amount in dollars such as 25 or 7.50").optional(),
});

export type ServerEnv = z.output<typeof envSchema>;

/** "10.0.0.0/8, 192.168.1.1" as its non-empty entries. */
function listOfEntries(value: string): string[] {
  return value.split(",").map((entry) => entry.trim()).filter(Boolean);
}

function notAddressRanges(entries: string[]): string {
  return entries.filter((entry) => !isAddressRange(entry)).map((entry) => JSON.stringify(entry)).join(", ");
}

/** A Host header value: a host name or address with an optional port, nothing else (no user, path or trailing dot). */
export function isHostEntry(entry: string): boolean {
  if (!/^[a-z0-9.:\[\]-]+$/i.test(entry) || entry.endsWith(".")) return false;
  try {
    return new URL(`http://${entry}`).host === entry.toLowerCase().replace(/:80$/, "");
  } catch {
    return false;
  }
}

/** An IPv4 or IPv6 address, optionally with a prefix length from 1 to its size (10.0.0.0/8, fd00::/8). */
export function isAddressRange(entry: string): boolean {
  const [address = "", prefix, extra] = entry.split("/");
  if (extra !== undefined || address.includes("%")) return false;
  const family = isIP(address);
  if (family === 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) >= 1 && Number(prefix) <= (family === 4 ? 32 : 128);
}

/** The origins the app answers for: PUBLIC_URL and the loopback addresses of PORT. */
export function allowedOrigins(env: ServerEnv): string[] {
  const origins = [`http://localhost:${env.PORT}`, `http://127.0.0.1:${env.PORT}`, `http://[::1]:${env.PORT}`];
  if (env.PUBLIC_URL) origins.unshift(new URL(env.PUBLIC_URL).origin);
  return origins;
}

export class EnvError extends Error {
  override readonly name = "EnvError";
}

export const TRUST_PROXY_REMOVED =
  "TRUST_PROXY is no longer supported: it trusted any X-Forwarded-For a client sends. Set TRUST_PROXY_HOPS to the number of proxies in front of the app (1 behind one load balancer, 2 behind CloudFront and an ALB), or TRUSTED_PROXIES to their address ranges.";

export function readServerEnv(env: NodeJS.ProcessEnv = process.env): ServerEnv {
  if (env["TRUST_PROXY"]?.trim()) throw new EnvError(TRUST_PROXY_REMOVED);
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}=${JSON.stringify(env[String(issue.path[0])])}: ${issue.message}`);
    throw new EnvError(`invalid environment: ${problems.join("; ")}`);
  }
  if (parsed.data.TRUST_PROXY_HOPS !== undefined && parsed.data.TRUSTED_PROXIES !== undefined) {
    throw new EnvError("TRUST_PROXY_HOPS and TRUSTED_PROXIES are both set: set only one (TRUSTED_PROXIES when the app can also be reached without going through the proxies).");
  }
  return parsed.data;
}

/** The proxies whose X-Forwarded-For entries are believed: a hop count, address ranges, or none. */
export function trustedProxies(env: ServerEnv): number | string[] | undefined {
  return env.TRUST_PROXY_HOPS ?? env.TRUSTED_PROXIES;
}
