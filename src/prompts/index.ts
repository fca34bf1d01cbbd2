import type { AppConfig } from "../config/resolve.js";
import type { Db } from "../store/db.js";
import type { PromptEnv } from "./env.js";
import { LocalPromptStore } from "./local/store.js";
import type { PromptStore } from "./types.js";

export { readPromptEnv, type PromptEnv } from "./env.js";
export { PromptService } from "./service.js";
export type { PromptStore } from "./types.js";

/**
 * The store PROMPT_STORE names: our database (default) or Bedrock Prompt Management in PROMPT_REGION, else the
 * config's default_aws_region. The AWS SDK is loaded only for the Bedrock store.
 */
export async function promptStoreFor(env: Pick<PromptEnv, "PROMPT_STORE" | "PROMPT_REGION">, db: Db, config: Pick<AppConfig, "defaultRegion">): Promise<PromptStore> {
  if (env.PROMPT_STORE !== "bedrock") return new LocalPromptStore(db);
  const { BedrockPromptStore } = await import("./bedrock/store.js");
  return new BedrockPromptStore({ region: env.PROMPT_REGION ?? config.defaultRegion });
}
