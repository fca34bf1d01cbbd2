import { join } from "node:path";
import { ConfigError } from "../config/errors.js";
import { databaseLocation } from "../config/database.js";
import { allowedOrigins, EnvError, readServerEnv, trustedProxies, type ServerEnv } from "../config/env.js";
import { findConfigFile, loadConfig } from "../config/load.js";
import { BedrockProvider } from "../providers/bedrock/provider.js";
import { DatabaseError, isPostgresUrl, openDatabase } from "../store/db.js";
import { AuthConfigError, isLoopbackHost, resolveAuthMode } from "../auth/mode.js";
import { OidcClient, type OidcSettings } from "../auth/oidc.js";
import { S3BlobStore } from "../attachments/s3-blob-store.js";
import { buildApp } from "./app.js";
import { loadSecretKeys } from "../secrets/secret-box.js";
import { SecretKeyError } from "../secrets/secret-key.js";
import { COMPILED, ensureWebBuild, requireWebBuild, ROOT, WebBuildMissingError } from "./web-build.js";
import { promptStoreFor, readPromptEnv } from "../prompts/index.js"; // issue 13
import { loadServersFile, ServersFileError } from "../tools/servers-file.js";

process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] ??= "true";

async function main(): Promise<void> {
  const env = readServerEnv();
  const { config, path, warnings } = loadConfig(findConfigFile());
  const webRoot = join(ROOT, "web", "dist");
  // npm start (tsx) builds the web app when its sources changed; the compiled production start never does.
  if (COMPILED) requireWebBuild(webRoot);
  else await ensureWebBuild();
  const authMode = resolveAuthMode(env.AUTH_MODE, env.HOST);
  const origins = allowedOrigins(env);
  const publicUrl = env.PUBLIC_URL ?? origins[0]!;
  const oidc = authMode === "oidc" ? new OidcClient(oidcSettings(env, publicUrl)) : undefined;
  const location = databaseLocation(env);
  const db = await openDatabase(location);
  // Keys for MCP server headers: SECRET_KEY, or on a laptop (AUTH_MODE=none) a key file made once under DATA_DIR.
  const secretKeys = await loadSecretKeys({ env: process.env, authMode, dataDir: env.DATA_DIR });
  const provider = new BedrockProvider();
  // System prompts (issue 13): PROMPT_STORE=local (default, in the database) or bedrock (Prompt Management).
  const promptEnv = readPromptEnv();
  const app = await buildApp({
    config,
    db,
    provider,
    origins,
    ...(isPostgresUrl(location) ? { postgresUrl: location } : {}),
    ...(env.ALLOWED_HOSTS ? { allowedHosts: env.ALLOWED_HOSTS } : {}),
    authMode,
    ...(oidc ? { oidc } : {}),
    publicUrl,
    limits: { ratePerMinute: env.RATE_LIMIT_PER_MINUTE, monthlyCap: env.MONTHLY_SPEND_CAP_USD ?? null },
    trustProxy: trustedProxies(env),
    logLevel: env.LOG_LEVEL,
    ...(env.BODY_LIMIT_MB ? { bodyLimitBytes: env.BODY_LIMIT_MB * 1024 * 1024 } : {}),
    titleGeneration: env.TITLE_GENERATION,
    mcp: { keys: secretKeys, allowPrivateNetworks: env.MCP_ALLOW_PRIVATE_NETWORKS === "1", ...(env.MCP_SERVERS_FILE ? { listed: loadServersFile(env.MCP_SERVERS_FILE) } : {}) },
    attachments: {
      maxBytes: env.ATTACHMENT_MAX_MB * 1_000_000,
      quotaBytes: env.ATTACHMENT_QUOTA_MB * 1_000_000,
      uploadsPerMinute: env.ATTACHMENT_UPLOADS_PER_MINUTE,
      ...(env.ATTACHMENTS_BUCKET ? { blobs: new S3BlobStore({ bucket: env.ATTACHMENTS_BUCKET, ...(env.ATTACHMENTS_BUCKET_OWNER ? { bucketOwner: env.ATTACHMENTS_BUCKET_OWNER } : {}) }) } : {}),
    },
    ...(env.TITLE_PROFILE ? { titleProfile: env.TITLE_PROFILE } : {}),
    prompts: { store: await promptStoreFor(promptEnv, db, config), seedIds: promptEnv.PROMPT_IDS, ttlMs: promptEnv.PROMPT_CACHE_SECONDS * 1000 },
    webRoot,
  });
  for (const warning of warnings) app.log.warn(warning);
  if (secretKeys.available && secretKeys.notice) app.log.warn(secretKeys.notice);
  app.log.info({ config: path, profiles: config.profiles.length, database: isPostgresUrl(location) ? "postgres" : env.DATA_DIR, authMode }, "config loaded");
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, "shutting down: finishing running answers (up to 10 s)");
    void app
      .close()
      .then(() => db.destroy())
      .then(() => provider.clients.destroy())
      .finally(() => process.exit(0));
  };
  process.once("SIGTERM", () => shutdown("SIGTERM"));
  process.once("SIGINT", () => shutdown("SIGINT"));
  // A deep accept queue: a burst of connections (many tabs reconnecting at once) waits in the kernel instead of
  // being dropped while the event loop is busy (Node's default is 511; Linux caps it at net.core.somaxconn).
  await app.listen({ port: env.PORT, host: env.HOST, backlog: 4096 });
}

/** OIDC_* variables; the issuer and client id are required in AUTH_MODE=oidc. */
function oidcSettings(env: ServerEnv, publicUrl: string): OidcSettings {
  if (!env.OIDC_ISSUER || !env.OIDC_CLIENT_ID) {
    throw new AuthConfigError("AUTH_MODE=oidc needs OIDC_ISSUER (the provider's issuer URL) and OIDC_CLIENT_ID; OIDC_CLIENT_SECRET too for a confidential client.");
  }
  const home = new URL("/", publicUrl).toString();
  return {
    issuer: env.OIDC_ISSUER,
    clientId: env.OIDC_CLIENT_ID,
    ...(env.OIDC_CLIENT_SECRET ? { clientSecret: env.OIDC_CLIENT_SECRET } : {}),
    redirectUri: env.OIDC_REDIRECT_URI ?? new URL("/auth/callback", publicUrl).toString(),
    postLogoutRedirectUri: home,
    allowedEmailDomains: (env.OIDC_ALLOWED_EMAIL_DOMAINS ?? "").split(",").map((d) => d.trim().toLowerCase().replace(/^@/, "")).filter(Boolean),
    trustEmailWithoutVerifiedClaim: env.OIDC_TRUST_UNVERIFIED_EMAIL,
    ...(env.OIDC_ADMIN_GROUP ? { adminGroup: env.OIDC_ADMIN_GROUP } : {}),
    allowInsecure: new URL(env.OIDC_ISSUER).protocol === "http:" && isLoopbackHost(new URL(env.OIDC_ISSUER).hostname),
  };
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof EnvError || error instanceof AuthConfigError || error instanceof DatabaseError || error instanceof SecretKeyError || error instanceof WebBuildMissingError || error instanceof ServersFileError) {
    process.stderr.write(`error: ${error.message}\n`);
  } else {
    process.stderr.write(`error: cannot start the server: ${(error as Error)?.stack ?? String(error)}\n`);
  }
  process.exit(1);
});
