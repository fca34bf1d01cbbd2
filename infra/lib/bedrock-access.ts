import type { AppConfig, ModelProfile } from "../../src/config/resolve.js";

/** The Bedrock resources the app's role may invoke, as ARNs (partition and account may be CloudFormation tokens). */
export interface BedrockResources {
  /** Foundation models, in every region a profile routes to (region-less for global profiles too). */
  foundationModels: string[];
  /** System-defined inference profiles (us., eu., apac., global., ...) in the region the app calls them from. */
  inferenceProfiles: string[];
  /** ARNs configured as `id` as they are (application inference profiles, provisioned models). */
  configuredArns: string[];
}

/**
 * What `bedrock:InvokeModel` and `bedrock:InvokeModelWithResponseStream` must allow for the app to call every
 * profile of config.json, from the app's own model resolution (src/config/resolve.ts: the model id it sends, the
 * region it calls, the regions the model lists), so the policy and the app cannot disagree:
 *
 * - a bare model id: the foundation model in the region the app calls;
 * - an inference profile (`us.`, `eu.`, ...): the profile in the region the app calls, and the foundation model in
 *   that region and in every region config.json lists for it (the profile routes there);
 * - a global profile (`global.`): the same, plus the region-less foundation-model ARN that global routing is
 *   authorized against;
 * - an ARN: that ARN.
 */
export function bedrockResources(config: AppConfig, where: { partition: string; account: string }): BedrockResources {
  const foundationModels = new Set<string>();
  const inferenceProfiles = new Set<string>();
  const configuredArns = new Set<string>();
  const model = (region: string, id: string) => `arn:${where.partition}:bedrock:${region}::foundation-model/${id}`;
  for (const profile of config.profiles) {
    if (profile.modelId.startsWith("arn:")) {
      configuredArns.add(profile.modelId);
      continue;
    }
    if (!profile.inferenceProfile) {
      foundationModels.add(model(profile.region, profile.modelId));
      continue;
    }
    inferenceProfiles.add(`arn:${where.partition}:bedrock:${profile.region}:${where.account}:inference-profile/${profile.modelId}`);
    for (const region of destinationRegions(profile)) foundationModels.add(model(region, profile.baseModelId));
    if (profile.inferenceProfile.global) foundationModels.add(model("", profile.baseModelId));
  }
  return { foundationModels: [...foundationModels].sort(), inferenceProfiles: [...inferenceProfiles].sort(), configuredArns: [...configuredArns].sort() };
}

/** The region the app calls, then every region config.json lists for the model. */
function destinationRegions(profile: ModelProfile): string[] {
  return [...new Set([profile.region, ...profile.regions])];
}
