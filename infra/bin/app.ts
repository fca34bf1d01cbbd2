#!/usr/bin/env node
// The CDK app: `npm run cdk -- synth | deploy | diff | destroy`. Reads the same config.json as the server.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { App, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import { ConfigError } from "../../src/config/errors.js";
import { findConfigFile, loadConfig } from "../../src/config/load.js";
import { buildChatApp } from "../lib/app.js";
import { SettingsError } from "../lib/settings.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

try {
  const app = new App();
  const loaded = loadConfig(findConfigFile());
  for (const warning of loaded.warnings) process.stderr.write(`warning: ${warning}\n`);
  buildChatApp(app, { loaded, root: ROOT });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth();
} catch (error) {
  if (error instanceof ConfigError || error instanceof SettingsError) {
    process.stderr.write(`error: ${error.message}\n`);
    process.exit(1);
  }
  throw error;
}
