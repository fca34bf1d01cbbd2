import { join } from "node:path";
import { ConfigError } from "../config/errors.js";
import { allowedOrigins, EnvError, readServerEnv } from "../config/env.js";
import { findConfigFile, loadConfig } from "../config/load.js";
import { BedrockProvider } from "../providers/bedrock/provider.js";
import { openDatabase } from "../store/db.js";
import { buildApp } from "./app.js";
import { ensureWebBuild, ROOT } from "./web-build.js";

process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] ??= "true";

async function main(): Promise<void> {
  const env = readServerEnv();
  const { config, path, warnings } = loadConfig(findConfigFile());
  const webRoot = join(ROOT, "web", "dist");
  await ensureWebBuild();
  const db = await openDatabase(env.DATA_DIR);
  const provider = new BedrockProvider();
  const app = await buildApp({
    config,
    db,
    provider,
    origins: allowedOrigins(env),
    logLevel: env.LOG_LEVEL,
    ...(env.BODY_LIMIT_MB ? { bodyLimitBytes: env.BODY_LIMIT_MB * 1024 * 1024 } : {}),
    titleGeneration: env.TITLE_GENERATION,
    ...(env.TITLE_PROFILE ? { titleProfile: env.TITLE_PROFILE } : {}),
    webRoot,
  });
  for (const warning of warnings) app.log.warn(warning);
  app.log.info({ config: path, profiles: config.profiles.length, data: env.DATA_DIR }, "config loaded");
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
  await app.listen({ port: env.PORT, host: env.HOST });
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof EnvError) {
    process.stderr.write(`error: ${error.message}\n`);
  } else {
    process.stderr.write(`error: cannot start the server: ${(error as Error)?.stack ?? String(error)}\n`);
  }
  process.exit(1);
});
