import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { AppConfig, ModelProfile } from "../../config/resolve.js";
import { describeSettings } from "../../engine/settings.js";
import type { AttachmentRules, ProfileDescription } from "../../shared/api.js";

/**
 * GET /api/profiles: the chat profiles from config.json, their capabilities and the settings ranges the UI needs,
 * the attachment rules (largest file, formats) the composer checks before it uploads, and the empty chat's starter prompts.
 */
export const profilesRoutes: FastifyPluginAsyncZod<{ config: AppConfig; attachments: AttachmentRules }> = async (app, { config, attachments }) => {
  const body = { profiles: config.profiles.map(describeProfile), defaultProfile: config.defaultProfile.name, attachments, starterPrompts: config.starterPrompts };
  app.get("/api/profiles", async () => body);
};

export function describeProfile(profile: ModelProfile): ProfileDescription {
  return {
    name: profile.name,
    modelId: profile.modelId,
    region: profile.region,
    default: profile.isDefault,
    capabilities: {
      vision: profile.vision,
      document: profile.document,
      tool: profile.tool,
      streaming: profile.streaming,
      reasoning: profile.reasoning.style,
    },
    price: profile.price ? { input1k: profile.price.input, output1k: profile.price.output } : null,
    settings: describeSettings(profile),
    provider: profile.provider,
    contextWindow: profile.contextWindow,
  };
}
