import { z } from "zod";

/** Environment settings of the server, validated once at start. Every variable is documented in the README. */
const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().trim().min(1).default("127.0.0.1"),
  CONFIG_PATH: z.string().optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export type ServerEnv = z.output<typeof envSchema>;

export class EnvError extends Error {
  override readonly name = "EnvError";
}

export function readServerEnv(env: NodeJS.ProcessEnv = process.env): ServerEnv {
  const parsed = envSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}=${JSON.stringify(env[String(issue.path[0])])}: ${issue.message}`);
  throw new EnvError(`invalid environment: ${problems.join("; ")}`);
}
