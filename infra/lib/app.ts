import type { App } from "aws-cdk-lib";
import type { LoadedConfig } from "../../src/config/load.js";
import { ChatStack } from "./chat-stack.js";
import { contextPath, isIgnored, readDockerignore } from "./docker-context.js";
import { readSettings, SettingsError } from "./settings.js";

/**
 * The chat stack for a loaded config.json. Its name carries the config's `prefix`; the image is built from the repo
 * root with that same config.json inside, so the app and its permissions come from one file.
 */
export function buildChatApp(app: App, options: { loaded: LoadedConfig; root: string }): ChatStack {
  const { loaded, root } = options;
  const configFile = contextPath(root, loaded.path);
  if (configFile === undefined || isIgnored(configFile, readDockerignore(root))) {
    throw new SettingsError(`${loaded.path}: the image is built from ${root}, and this config.json is not in it (or .dockerignore leaves it out). Put it at ${root}/config.json or ${root}/bin/config.json, or point CONFIG_PATH at a file inside ${root}.`);
  }
  const stackName = `${loaded.config.prefix.replace(/[^A-Za-z0-9-]/g, "")}FoundationalLlmChat`;
  return new ChatStack(app, stackName, {
    description: "Foundational LLM Chat: a multi-user chat for Amazon Bedrock (CloudFront, ALB, ECS Fargate, Aurora PostgreSQL, S3, Cognito)",
    config: loaded.config,
    settings: readSettings(app.node),
    contextDir: root,
    configFile,
  });
}
