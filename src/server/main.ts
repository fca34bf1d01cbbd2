import { ConfigError } from "../config/errors.js";
import { EnvError, readServerEnv } from "../config/env.js";
import { findConfigFile, loadConfig } from "../config/load.js";
import { buildApp } from "./app.js";

process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] ??= "true";

async function main(): Promise<void> {
  const env = readServerEnv();
  const { config, path, warnings } = loadConfig(findConfigFile());
  const app = await buildApp({ config, logLevel: env.LOG_LEVEL });
  for (const warning of warnings) app.log.warn(warning);
  app.log.info({ config: path, profiles: config.profiles.length }, "config loaded");
  const shutdown = (signal: string) => {
    app.log.info({ signal }, "shutting down");
    void app.close().then(() => process.exit(0));
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
