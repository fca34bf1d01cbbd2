import { z } from "zod";

/**
 * config.json in the original app's exact schema (see the seed README). Every field a user's existing
 * file may carry is accepted; unknown keys are reported as warnings by `findUnknownKeys`.
 */

/** "None", 0, "" or absent mean no limit; otherwise a positive number or a numeric string such as "100000". */
const limit = (integer: boolean) =>
  z
    .union([z.number(), z.string()])
    .optional()
    .transform((value, ctx): number | null => {
      if (value === undefined || value === "" || value === "None") return null;
      const n = typeof value === "number" ? value : Number(value.trim());
      if (!Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n))) {
        ctx.addIssue({
          code: "custom",
          message: `expected ${integer ? "a whole number" : "a number"} of at least 0, a numeric string such as "100000", or "None"`,
        });
        return z.NEVER;
      }
      return n === 0 ? null : n;
    });

/** A price per 1,000 tokens, kept as the decimal text the user wrote so cost arithmetic stays exact. */
const price = z
  .union([z.number(), z.string()])
  .transform((value, ctx): string => {
    const text = typeof value === "number" ? String(value) : value.trim();
    if (!/^(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/.test(text)) {
      ctx.addIssue({ code: "custom", message: "expected a price in USD per 1,000 tokens (a number such as 0.003)" });
      return z.NEVER;
    }
    return text;
  });

export const costSchema = z.object({
  input_1k_price: price,
  output_1k_price: price,
  /** Prompt caching (our extension): tokens read from the cache; absent: billed at the input price. */
  cache_read_1k_price: price.optional(),
  /** Tokens written to the cache with the 5-minute TTL (and the 1-hour one when it has no price of its own); absent: the input price. */
  cache_write_1k_price: price.optional(),
  /** Tokens written to the cache with the 1-hour TTL; absent: cache_write_1k_price. */
  cache_write_1h_1k_price: price.optional(),
});

/** `"prompt_caching": {...}`: the TTL of the checkpoints, and whether the tool list takes one (Nova's does not). */
export const promptCachingObjectSchema = z.object({
  ttl: z.enum(["5m", "1h"], { error: 'expected "5m" or "1h"' }).optional(),
  tools: z.boolean().optional(),
});

/**
 * `"prompt_caching"`: true, false or an object (promptCachingObjectSchema). Checked by hand rather than as a zod union,
 * so that a wrong field inside the object is reported at its own path (`...prompt_caching.ttl`), not at the union's.
 */
const promptCaching = z.unknown().transform((value, ctx): boolean | z.output<typeof promptCachingObjectSchema> => {
  if (typeof value === "boolean") return value;
  if (!isPlainObject(value)) {
    ctx.addIssue({ code: "custom", message: 'expected true, false or an object such as {"ttl": "5m", "tools": false}' });
    return z.NEVER;
  }
  const parsed = promptCachingObjectSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) {
    ctx.addIssue({ code: "custom", path: issue.path, message: issue.code === "invalid_type" ? `expected ${issue.expected}` : issue.message });
  }
  return z.NEVER;
});

export const inferenceProfileSchema = z.object({
  prefix: z.string().trim().min(1, 'expected a region prefix such as "us", "eu", "apac" or "global"'),
  region: z.string().trim().min(1).optional(),
  global: z.boolean().optional(),
});

export const reasoningObjectSchema = z.object({
  enabled: z.boolean().optional(),
  openai_reasoning_modalities: z.boolean().optional(),
  no_reasoning_params: z.boolean().optional(),
  hybrid: z.boolean().optional(),
  budget_thinking_tokens: z.boolean().optional(),
  temperature_forced: z.number().min(0).max(1).optional(),
  /** Our one extension: offer the interleaved-thinking option (absent: offered for ids containing "claude"). */
  interleaved_thinking: z.boolean().optional(),
});

export const modelSchema = z.object({
  id: z.string().trim().min(1, "expected a Bedrock model id, inference profile id or ARN"),
  region: z
    .union([z.array(z.string().trim().min(1)), z.string().trim().min(1).transform((r) => [r])], {
      error: 'expected an array of region names such as ["us-west-2", "us-east-1"]',
    })
    .optional(),
  inference_profile: inferenceProfileSchema.optional(),
  system_prompt: z.string().optional(),
  cost: costSchema.optional(),
  vision: z.boolean().optional(),
  document: z.boolean().optional(),
  tool: z.boolean().optional(),
  /** Our extension: the model reads image and document blocks from S3 (`s3Location`), so stored files are not resent as bytes. */
  s3_sources: z.boolean().optional(),
  streaming: z.boolean().optional(),
  reasoning: z
    .union([z.boolean(), reasoningObjectSchema], { error: 'expected true, false or an object such as {"enabled": true}' })
    .optional(),
  maxTokens: z.number().int().positive().optional(),
  default: z.boolean().optional(),
  /** Our extension: the group the profile picker shows it under (default: the vendor part of the model id). */
  provider: z.string().trim().min(1, 'expected a provider name such as "Anthropic"').max(40).optional(),
  /** Our extension: the model's context window in tokens, shown in the picker (maxTokens is the output limit). */
  context_window: z.number().int().positive("expected the context window in tokens, such as 200000").optional(),
  /** Our extension: the model takes prompt-caching checkpoints (true, or {"ttl": "5m" | "1h", "tools": true | false}). */
  prompt_caching: promptCaching.optional(),
});

/** A suggestion on an empty chat: a prompt, or a short title with the prompt it fills in. */
export const starterPromptSchema = z.union(
  [
    // A prompt keeps its own spacing (a trailing blank line leaves room to paste after it).
    z.string().refine((p) => p.trim() !== "", "expected a non-empty prompt"),
    z.object({ title: z.string().trim().min(1).max(80), prompt: z.string().refine((p) => p.trim() !== "", "expected a non-empty prompt") }),
  ],
  { error: 'expected a prompt such as "Explain this error" or {"title": "...", "prompt": "..."}' },
);

export const configSchema = z.object({
  default_system_prompt: z.string().optional(),
  max_characters_parameter: limit(true),
  max_content_size_mb_parameter: limit(false),
  default_aws_region: z.string().trim().min(1).optional(),
  prefix: z.string().optional(),
  cognito_domain: z.string().optional(),
  /** Our extension: suggestions shown on an empty chat (absent: a few general ones). */
  starter_prompts: z.array(starterPromptSchema).max(12, "expected at most 12 starter prompts").optional(),
  bedrock_models: z
    .record(z.string().min(1), modelSchema)
    .refine((models) => Object.keys(models).length > 0, {
      message: "expected at least one model: add an entry such as \"Claude Sonnet 4.5\": {\"id\": \"...\"}",
    }),
});

export type RawConfig = z.output<typeof configSchema>;
export type RawModel = z.output<typeof modelSchema>;
export type RawReasoning = z.output<typeof reasoningObjectSchema>;
export type RawPromptCaching = z.output<typeof promptCachingObjectSchema>;

type Shape = Record<string, z.ZodType>;

/** Lists keys the schema does not know, as JSON paths, so the loader can warn about them (typos included). */
export function findUnknownKeys(raw: unknown): string[] {
  const unknown: string[] = [];
  const check = (value: unknown, shape: Shape, path: (string | number)[]) => {
    if (!isPlainObject(value)) return;
    for (const key of Object.keys(value)) {
      if (!(key in shape)) unknown.push(formatPath([...path, key]));
    }
  };
  check(raw, configSchema.shape, []);
  const models = isPlainObject(raw) ? raw["bedrock_models"] : undefined;
  if (isPlainObject(models)) {
    for (const [name, model] of Object.entries(models)) {
      const base = ["bedrock_models", name];
      check(model, modelSchema.shape, base);
      if (!isPlainObject(model)) continue;
      check(model["inference_profile"], inferenceProfileSchema.shape, [...base, "inference_profile"]);
      check(model["cost"], costSchema.shape, [...base, "cost"]);
      check(model["reasoning"], reasoningObjectSchema.shape, [...base, "reasoning"]);
      check(model["prompt_caching"], promptCachingObjectSchema.shape, [...base, "prompt_caching"]);
    }
  }
  return unknown;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `bedrock_models["Claude 3.7 Sonnet"].cost.input_1k_price` */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const [i, key] of path.entries()) {
    // Model names are keys users chose: always bracketed, as in bedrock_models["Claude 3.7 Sonnet"].
    const isModelName = i === 1 && path[0] === "bedrock_models";
    if (typeof key === "number") out += `[${key}]`;
    else if (isModelName) out += `[${JSON.stringify(String(key))}]`;
    else if (typeof key === "string" && /^[A-Za-z_$][\w$]*$/.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out || "(top level)";
}
