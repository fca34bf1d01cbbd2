/**
 * The models the emulator serves and how each behaves, after reference/bedrock-api.md sections 1, 4 and 6.
 * Keyed by base model id (no geo prefix).
 */
export type Family = "anthropic" | "openai" | "deepseek-r1" | "deepseek-v3" | "qwen" | "nova" | "meta" | "mistral" | "writer";

export interface EmulatedModel {
  family: Family;
  /** How the model takes reasoning parameters: budget (Anthropic thinking), effort (reasoning_effort), always (none accepted), none. */
  reasoning: "budget" | "effort" | "always" | "none";
  interleaved: boolean;
  /** Only callable through an inference profile (on-demand base id rejected). */
  profileOnly: boolean;
  maxOutputTokens: number;
  contextTokens: number;
  tools: boolean;
  /** Takes image blocks; without it: "This model doesn't support images." */
  vision: boolean;
  /** Takes document blocks; without it: "This model doesn't support documents." */
  documents: boolean;
  /**
   * Takes `s3Location` sources for images and documents (reference 10.4, the "Amazon S3 links for multimedia"
   * column: only Nova Premier, Pro and Lite); without it an S3 source is refused.
   */
  s3Sources: boolean;
  /** Prompt caching; absent: the model takes no cachePoint (a checkpoint fails the whole call). */
  caching?: ModelCaching;
}

/**
 * How a model caches prompt prefixes, after reference/bedrock-prompt-caching.md section 2 (the latest AWS table
 * unless noted beside the model) and the silent rules of section 7. Every caching model takes at most 4 checkpoints.
 */
export interface ModelCaching {
  /** Fewest tokens the cumulative prefix up to a checkpoint must have to be cached; below it nothing is cached, without an error. */
  minTokens: number;
  /**
   * What a `ttl: "1h"` checkpoint gets: an hour; 5 minutes, silently, as on a 5-minute-only Claude (section 7,
   * reported: LibreChat #253); or a ValidationException, as on Nova (section 7, reported).
   */
  oneHour: "supported" | "downgraded" | "refused";
  /** Takes checkpoints in `toolConfig.tools` (Nova does not: section 2, "system, messages only"). */
  tools: boolean;
  /**
   * How many block boundaries before each checkpoint are also looked up for a read: Claude checks about 20 content
   * blocks back for the longest cached prefix (section 1, verified); for Nova nothing is stated, so none.
   */
  lookback: number;
}

const claudeCache = (minTokens: number, oneHour: ModelCaching["oneHour"]): ModelCaching => ({ minTokens, oneHour, tools: true, lookback: 20 });
/** Nova: "1K" minimum, read as 1,024 (the stricter reading); 5 minutes only (old AWS revision; "at most 20K tokens cacheable" is not modelled). */
const NOVA_CACHE: ModelCaching = { minTokens: 1024, oneHour: "refused", tools: false, lookback: 0 };

const claude = (maxOutputTokens: number, reasoning: "budget" | "none", interleaved: boolean): EmulatedModel => ({
  family: "anthropic",
  reasoning,
  interleaved,
  profileOnly: true,
  maxOutputTokens,
  contextTokens: 200_000,
  tools: true,
  vision: true,
  documents: true,
  s3Sources: false,
});

const plain = (family: Family, maxOutputTokens: number, extra: Partial<EmulatedModel> = {}): EmulatedModel => ({
  family,
  reasoning: "none",
  interleaved: false,
  profileOnly: true,
  maxOutputTokens,
  contextTokens: 128_000,
  tools: true,
  vision: true,
  documents: true,
  s3Sources: false,
  ...extra,
});

export const MODELS: Record<string, EmulatedModel> = {
  // Caching: 1,024 tokens (the mid AWS revision said 4,096), 5m and 1h.
  "anthropic.claude-sonnet-4-5-20250929-v1:0": { ...claude(64_000, "budget", true), caching: claudeCache(1024, "supported") },
  // Caching: 4,096 tokens, 5m and 1h.
  "anthropic.claude-haiku-4-5-20251001-v1:0": { ...claude(64_000, "budget", true), caching: claudeCache(4096, "supported") },
  // Caching: 1,024 tokens, 5m only.
  "anthropic.claude-3-7-sonnet-20250219-v1:0": { ...claude(64_000, "budget", false), caching: claudeCache(1024, "downgraded") },
  // Caching: 1,024 tokens, 5m only (AWS: for preview customers only).
  "anthropic.claude-3-5-sonnet-20241022-v2:0": { ...claude(8192, "none", false), caching: claudeCache(1024, "downgraded") },
  // Claude 3.5 Haiku takes no images (AWS "Supported models and model features": Vision No).
  // Caching (old AWS revision): 2,048 tokens; TTL not stated, taken as 5m only.
  "anthropic.claude-3-5-haiku-20241022-v1:0": { ...claude(8192, "none", false), profileOnly: false, vision: false, caching: claudeCache(2048, "downgraded") },
  "amazon.nova-premier-v1:0": plain("nova", 5120, { contextTokens: 300_000, s3Sources: true, caching: NOVA_CACHE }),
  "amazon.nova-pro-v1:0": plain("nova", 5120, { contextTokens: 300_000, profileOnly: false, s3Sources: true, caching: NOVA_CACHE }),
  "amazon.nova-lite-v1:0": plain("nova", 5120, { contextTokens: 300_000, profileOnly: false, s3Sources: true, caching: NOVA_CACHE }),
  // Nova Micro is text only (AWS "Supported models and model features": Document chat No, Vision No).
  "amazon.nova-micro-v1:0": plain("nova", 5120, { contextTokens: 128_000, profileOnly: false, vision: false, documents: false, caching: NOVA_CACHE }),
  "meta.llama4-scout-17b-instruct-v1:0": plain("meta", 8192),
  "meta.llama4-maverick-17b-instruct-v1:0": plain("meta", 8192),
  "meta.llama3-2-90b-instruct-v1:0": plain("meta", 4096),
  "writer.palmyra-x5-v1:0": plain("writer", 8192, { vision: false }),
  "writer.palmyra-x4-v1:0": plain("writer", 8192),
  "mistral.pixtral-large-2502-v1:0": plain("mistral", 8192),
  "mistral.mistral-large-2407-v1:0": plain("mistral", 8192, { profileOnly: false, vision: false }),
  "openai.gpt-oss-20b-1:0": plain("openai", 128_000, { reasoning: "effort", profileOnly: false, vision: false }),
  "openai.gpt-oss-120b-1:0": plain("openai", 128_000, { reasoning: "effort", profileOnly: false, vision: false }),
  "deepseek.v3-v1:0": plain("deepseek-v3", 163_840, { reasoning: "effort", profileOnly: false, vision: false, tools: false }),
  "deepseek.r1-v1:0": plain("deepseek-r1", 163_840, { reasoning: "always", vision: false, tools: false }),
  "qwen.qwen3-32b-v1:0": plain("qwen", 32_768, { reasoning: "effort", profileOnly: false, vision: false }),
  "qwen.qwen3-coder-30b-a3b-v1:0": plain("qwen", 262_144, { profileOnly: false, vision: false }),
  "qwen.qwen3-coder-480b-a35b-v1:0": plain("qwen", 131_072, { profileOnly: false, vision: false }),
  "qwen.qwen3-235b-a22b-v1:0": plain("qwen", 262_144, { reasoning: "effort", profileOnly: false, vision: false }),
};

/** Geo prefixes of system inference profiles and the regions that may call them. */
export const GEOGRAPHIES: Record<string, (region: string) => boolean> = {
  us: (r) => r.startsWith("us-") && !r.startsWith("us-gov-"),
  eu: (r) => r.startsWith("eu-"),
  apac: (r) => r.startsWith("ap-"),
  jp: (r) => r.startsWith("ap-northeast-"),
  au: (r) => r.startsWith("ap-southeast-"),
  ca: (r) => r.startsWith("ca-"),
  "us-gov": (r) => r.startsWith("us-gov-"),
  global: () => true,
};

export interface ResolvedModelId {
  baseId: string;
  geo?: string;
  model: EmulatedModel;
}
