import type { RawConfig, RawModel } from "./schema.js";

/**
 * How a profile reasons, decided once here from the config flags (never from model-name checks elsewhere):
 * - none: nothing reasoning-related is sent;
 * - anthropic: optional thinking with a token budget and signed reasoning blocks;
 * - openai: always on, effort levels, temperature/topP pinned to 1.0;
 * - always-on: the model reasons by itself, no reasoning parameters are sent (`no_reasoning_params`).
 */
export type ReasoningStyle = "none" | "anthropic" | "openai" | "always-on";

export interface ReasoningCapability {
  style: ReasoningStyle;
  /** Offer the interleaved-thinking option (Anthropic style only). */
  interleaved: boolean;
  /** Temperature sent while thinking (Anthropic style, `temperature_forced`); undefined: not sent. */
  temperatureForced?: number;
  /** Reasoning goes back in history only for turns that used tools (OpenAI-style history rule). */
  historyOnlyWithTools: boolean;
  /** Temperature and topP are sent as 1.0 whatever the user chose (OpenAI-style inference rule). */
  pinnedSampling: boolean;
}

/**
 * How a profile caches prompt prefixes (`prompt_caching`), decided once here: the TTL its checkpoints ask for, and
 * whether the tool list takes a checkpoint. Null: the model takes no checkpoint (one would fail the whole call).
 */
export interface PromptCaching {
  ttl: "5m" | "1h";
  tools: boolean;
}

/**
 * USD per 1,000 tokens as exact decimal strings. The cache prices are optional: a cache read or write without its
 * own price is billed at the input price (a 1-hour write without one, at the 5-minute write price).
 */
export interface Price {
  input: string;
  output: string;
  cacheRead?: string;
  cacheWrite?: string;
  cacheWrite1h?: string;
}

export interface ModelProfile {
  /** The key in bedrock_models: the chat profile's name. */
  name: string;
  /** `id` exactly as configured. */
  configuredId: string;
  /** The id sent to Bedrock: inference-profile prefix applied, ARNs unchanged. */
  modelId: string;
  /** Model id without any inference-profile prefix (for IAM foundation-model ARNs). */
  baseModelId: string;
  /** Region of the Bedrock client that serves this profile. */
  region: string;
  /** All regions the config lists for this model (IAM needs every destination region). */
  regions: string[];
  inferenceProfile?: { prefix: string; region: string; global: boolean };
  /** The model's own system prompt, else default_system_prompt (template; variables substituted per request). */
  systemPrompt: string;
  /** Null when the config has no cost (shown as unknown). */
  price: Price | null;
  /** Prompt caching (`prompt_caching`); null when the config does not enable it. */
  caching: PromptCaching | null;
  vision: boolean;
  document: boolean;
  tool: boolean;
  /** Image and document blocks may point at S3 (`s3_sources`, default false). */
  s3Sources: boolean;
  streaming: boolean;
  /** Output token limit of the model (slider max); 4096 when the config has none, as in the original. */
  maxTokens: number;
  reasoning: ReasoningCapability;
  isDefault: boolean;
  /** The picker's group: `provider` from config, else the vendor part of the model id ("anthropic", "meta"). */
  provider: string;
  /** Context window in tokens (`context_window`); null when the config does not say. */
  contextWindow: number | null;
}

/** A suggestion on an empty chat: `title` on the button, `prompt` put in the message box. */
export interface StarterPrompt {
  title: string;
  prompt: string;
}

/** Shown when config.json has no `starter_prompts`. */
export const DEFAULT_STARTER_PROMPTS: readonly StarterPrompt[] = [
  { title: "Explain a concept simply", prompt: "Explain how public-key cryptography works, as if I were new to it." },
  { title: "Improve a piece of writing", prompt: "Make this email clearer and more concise, keeping its tone:\n\n" },
  { title: "Plan something step by step", prompt: "Help me plan a three-day trip to Lisbon: a day-by-day outline with one idea per morning, afternoon and evening." },
  { title: "Review some code", prompt: "Review this code for bugs and readability, and suggest improvements:\n\n" },
];

export interface AppConfig {
  defaultSystemPrompt: string;
  /** Maximum characters of a user message; null: no limit. */
  maxCharacters: number | null;
  /** Maximum size of one attachment in MB; null: no limit. */
  maxContentSizeMb: number | null;
  defaultRegion: string;
  prefix: string;
  cognitoDomain?: string;
  /** Suggestions on an empty chat (`starter_prompts`, else DEFAULT_STARTER_PROMPTS). */
  starterPrompts: readonly StarterPrompt[];
  /** In config order. */
  profiles: ModelProfile[];
  defaultProfile: ModelProfile;
}

export const DEFAULT_REGION = "us-west-2";
export const DEFAULT_MODEL_MAX_TOKENS = 4096;

export function resolveConfig(raw: RawConfig): { config: AppConfig; warnings: string[] } {
  const warnings: string[] = [];
  const defaultRegion = raw.default_aws_region ?? DEFAULT_REGION;
  const defaultSystemPrompt = raw.default_system_prompt ?? "";
  const profiles = Object.entries(raw.bedrock_models).map(([name, model]) =>
    resolveModel(name, model, { defaultRegion, defaultSystemPrompt }, warnings),
  );
  const marked = profiles.filter((p) => p.isDefault);
  if (marked.length > 1) {
    warnings.push(
      `${marked.length} models are marked "default": true (${marked.map((p) => JSON.stringify(p.name)).join(", ")}); using the first, ${JSON.stringify(marked[0]!.name)}`,
    );
    for (const p of marked.slice(1)) p.isDefault = false;
  }
  const defaultProfile = marked[0] ?? profiles[0]!;
  defaultProfile.isDefault = true;
  return {
    config: {
      defaultSystemPrompt,
      maxCharacters: raw.max_characters_parameter,
      maxContentSizeMb: raw.max_content_size_mb_parameter,
      defaultRegion,
      prefix: raw.prefix ?? "",
      ...(raw.cognito_domain ? { cognitoDomain: raw.cognito_domain } : {}),
      starterPrompts: raw.starter_prompts?.map((p) => (typeof p === "string" ? { title: p, prompt: p } : p)) ?? DEFAULT_STARTER_PROMPTS,
      profiles,
      defaultProfile,
    },
    warnings,
  };
}

function resolveModel(
  name: string,
  model: RawModel,
  defaults: { defaultRegion: string; defaultSystemPrompt: string },
  warnings: string[],
): ModelProfile {
  const profile = model.inference_profile;
  const prefix = profile ? (profile.global ? "global" : profile.prefix) : undefined;
  const regions = model.region ?? [];
  const region = profile?.region ?? regions[0] ?? defaults.defaultRegion;
  if (!model.cost) warnings.push(`bedrock_models[${JSON.stringify(name)}] has no "cost": its cost will show as unknown`);
  const price = model.cost ? priceOf(model.cost) : null;
  return {
    name,
    configuredId: model.id,
    modelId: applyPrefix(model.id, prefix),
    baseModelId: stripPrefix(model.id, prefix),
    region,
    regions: regions.length ? regions : [region],
    ...(profile && prefix ? { inferenceProfile: { prefix, region, global: profile.global ?? false } } : {}),
    systemPrompt: model.system_prompt ?? defaults.defaultSystemPrompt,
    price,
    caching: resolveCaching(name, model.prompt_caching, price, warnings),
    vision: model.vision ?? false,
    document: model.document ?? false,
    tool: model.tool ?? false,
    s3Sources: model.s3_sources ?? false,
    streaming: model.streaming ?? true,
    maxTokens: model.maxTokens ?? DEFAULT_MODEL_MAX_TOKENS,
    reasoning: resolveReasoning(name, model, warnings),
    isDefault: model.default ?? false,
    provider: model.provider ?? vendorOf(model.id),
    contextWindow: model.context_window ?? null,
  };
}

function priceOf(cost: NonNullable<RawModel["cost"]>): Price {
  return {
    input: cost.input_1k_price,
    output: cost.output_1k_price,
    ...(cost.cache_read_1k_price !== undefined ? { cacheRead: cost.cache_read_1k_price } : {}),
    ...(cost.cache_write_1k_price !== undefined ? { cacheWrite: cost.cache_write_1k_price } : {}),
    ...(cost.cache_write_1h_1k_price !== undefined ? { cacheWrite1h: cost.cache_write_1h_1k_price } : {}),
  };
}

/** `prompt_caching`: true is `{"ttl": "5m", "tools": true}`; a priced model without cache prices is warned about. */
function resolveCaching(name: string, raw: RawModel["prompt_caching"], price: Price | null, warnings: string[]): PromptCaching | null {
  if (raw === undefined || raw === false) return null;
  const caching: PromptCaching = raw === true ? { ttl: "5m", tools: true } : { ttl: raw.ttl ?? "5m", tools: raw.tools ?? true };
  if (price) {
    const missing = missingCachePrices({ caching, price });
    if (missing.length) {
      warnings.push(
        `bedrock_models[${JSON.stringify(name)}] caches prompts but its "cost" has no ${missing.join(", ")}: cache tokens without a price of their own are billed at the input price (1-hour writes at cache_write_1k_price when it is set)`,
      );
    }
  }
  return caching;
}

/**
 * The cache prices a caching profile's config lacks (config key names), for the load warning and the admin usage
 * page: cache_write_1h_1k_price counts only when the profile writes 1-hour entries. Empty without caching or price.
 */
export function missingCachePrices(profile: Pick<ModelProfile, "caching" | "price">): string[] {
  const { caching, price } = profile;
  if (!caching || !price) return [];
  return [
    ...(price.cacheRead === undefined ? ["cache_read_1k_price"] : []),
    ...(price.cacheWrite === undefined ? ["cache_write_1k_price"] : []),
    ...(caching.ttl === "1h" && price.cacheWrite1h === undefined ? ["cache_write_1h_1k_price"] : []),
  ];
}

/** Geographic prefixes of cross-region inference profile ids (reference/bedrock-api.md section 1). */
const GEO_PREFIXES = new Set(["us", "eu", "apac", "global", "jp", "au", "ca", "us-gov"]);

/**
 * The vendor part of a model id: "anthropic" for "us.anthropic.claude-…" or a foundation-model ARN. Ids without
 * one (an application inference profile's ARN) give "other".
 */
export function vendorOf(id: string): string {
  const resource = id.startsWith("arn:") ? (id.split("/").pop() ?? "") : id;
  const parts = resource.split(".");
  const vendor = parts.length > 1 && GEO_PREFIXES.has(parts[0]!) ? parts[1] : parts.length > 1 ? parts[0] : undefined;
  return vendor && /^[a-z][a-z0-9-]*$/.test(vendor) ? vendor : "other";
}

/** `<prefix>.<id>` unless the id is an ARN or already carries that prefix. */
export function applyPrefix(id: string, prefix: string | undefined): string {
  if (!prefix || id.startsWith("arn:") || id.startsWith(`${prefix}.`)) return id;
  return `${prefix}.${id}`;
}

function stripPrefix(id: string, prefix: string | undefined): string {
  if (id.startsWith("arn:")) return id;
  if (prefix && id.startsWith(`${prefix}.`)) return id.slice(prefix.length + 1);
  return id;
}

function resolveReasoning(name: string, model: RawModel, warnings: string[]): ReasoningCapability {
  const none: ReasoningCapability = { style: "none", interleaved: false, historyOnlyWithTools: false, pinnedSampling: false };
  const reasoning = model.reasoning;
  if (reasoning === undefined || reasoning === false) return none;
  if (reasoning === true) return anthropic(model.id, undefined, undefined);
  if (reasoning.enabled === false) return none;
  if (reasoning.enabled === undefined) {
    if (Object.keys(reasoning).length === 0) return none;
    warnings.push(
      `bedrock_models[${JSON.stringify(name)}].reasoning has no "enabled": treating it as enabled, like the original app; add "enabled": true to silence this`,
    );
  }
  const openai = reasoning.openai_reasoning_modalities ?? false;
  if (reasoning.no_reasoning_params) {
    return { style: "always-on", interleaved: false, historyOnlyWithTools: openai, pinnedSampling: openai };
  }
  if (openai) return { style: "openai", interleaved: false, historyOnlyWithTools: true, pinnedSampling: true };
  return anthropic(model.id, reasoning.interleaved_thinking, reasoning.temperature_forced);
}

function anthropic(id: string, interleaved: boolean | undefined, temperatureForced: number | undefined): ReasoningCapability {
  return {
    style: "anthropic",
    // The original offers interleaved thinking to Claude ids; the config can now say so explicitly.
    interleaved: interleaved ?? id.toLowerCase().includes("claude"),
    ...(temperatureForced !== undefined ? { temperatureForced } : {}),
    historyOnlyWithTools: false,
    pinnedSampling: false,
  };
}

export function findProfile(config: AppConfig, name: string | undefined): ModelProfile | undefined {
  if (name === undefined) return config.defaultProfile;
  return config.profiles.find((p) => p.name === name);
}
