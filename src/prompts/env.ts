import { z } from "zod";
import { EnvError } from "../config/env.js";

const versionSchema = z.union([z.number().int().min(1), z.string().regex(/^\d{1,5}$/, "a version number").transform(Number)]);

/** PROMPT_IDS: `{"<profile>" | "default": {"id": "ABCDEFGHIJ", "version": "1"}}`, as the AWS deployment passes it. */
const promptIdsSchema = z.record(z.string(), z.looseObject({ id: z.string().regex(/^[0-9a-zA-Z]{10}$/, "a 10-character prompt id"), version: versionSchema }));

const promptEnvSchema = z.object({
  PROMPT_STORE: z.enum(["local", "bedrock"]).default("local"),
  /** Region of Prompt Management; default: the config's default_aws_region. */
  PROMPT_REGION: z.string().trim().min(1).optional(),
  PROMPT_IDS: z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (!text?.trim()) return {};
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: "custom", message: "is not valid JSON" });
        return z.NEVER;
      }
    })
    .pipe(promptIdsSchema),
  /** How long a pinned version is trusted before the database is asked again (a change made here applies at once). */
  PROMPT_CACHE_SECONDS: z.coerce.number().min(0).max(3600).default(30),
});

export type PromptEnv = z.output<typeof promptEnvSchema>;

/** The prompt store's environment, validated once at start (EnvError names the variable and the fix). */
export function readPromptEnv(env: NodeJS.ProcessEnv = process.env): PromptEnv {
  const parsed = promptEnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new EnvError(`invalid prompt settings: ${problems.join("; ")} (PROMPT_STORE is local or bedrock; PROMPT_IDS is JSON such as {"default": {"id": "ABCDEFGHIJ", "version": "1"}})`);
  }
  return parsed.data;
}
