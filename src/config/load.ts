import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { z } from "zod";
import { ConfigError } from "./errors.js";
import { configSchema, findUnknownKeys, formatPath, type RawConfig } from "./schema.js";
import { resolveConfig, type AppConfig } from "./resolve.js";

export const BUNDLED_CONFIG_PATH = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "config.example.json");

/** CONFIG_PATH, else ./config.json, else ./bin/config.json (where the original app keeps it), else the bundled example. */
export function findConfigFile(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  const explicit = env["CONFIG_PATH"]?.trim();
  if (explicit) {
    const path = resolve(cwd, explicit);
    if (!existsSync(path)) throw new ConfigError(path, "the file does not exist (set by CONFIG_PATH). Fix the path or unset CONFIG_PATH.");
    return path;
  }
  for (const candidate of ["config.json", join("bin", "config.json")]) {
    const path = resolve(cwd, candidate);
    if (existsSync(path)) return path;
  }
  return BUNDLED_CONFIG_PATH;
}

export interface LoadedConfig {
  config: AppConfig;
  path: string;
  warnings: string[];
}

export function loadConfig(path: string): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ConfigError(path, `cannot read the file: ${(error as Error).message}`);
  }
  return parseConfigText(text, path);
}

export function parseConfigText(text: string, path: string): LoadedConfig {
  const raw = parseJson(text.replace(/^\uFEFF/, ""), path);
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(path, describeIssues(parsed.error, raw));
  const warnings = findUnknownKeys(raw).map(
    (key) => `${path}: ignoring unknown key ${key} (check its spelling against the README's config.json reference)`,
  );
  const { config, warnings: resolveWarnings } = resolveConfig(parsed.data as RawConfig);
  return { config, path, warnings: [...warnings, ...resolveWarnings.map((w) => `${path}: ${w}`)] };
}

function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const match = /position (\d+)/.exec(message);
    const position = match ? Number(match[1]) : text.length;
    const before = text.slice(0, position);
    const line = before.split("\n").length;
    const column = position - before.lastIndexOf("\n");
    const reason = message.replace(/\s*in JSON at position \d+.*$/s, "").replace(/^JSON\.parse: /, "");
    throw new ConfigError(path, `invalid JSON at line ${line}, column ${column}: ${reason}`);
  }
}

function describeIssues(error: z.ZodError, raw: unknown): string {
  const lines = error.issues.slice(0, 5).map((issue) => {
    const where = formatPath(issue.path);
    const found = describeValue(valueAt(raw, issue.path));
    const expected = issue.code === "invalid_type" ? `expected ${issue.expected}` : issue.message.replace(/^Invalid input: /, "");
    return `${where}: ${expected}, found ${found}`;
  });
  if (error.issues.length > 5) lines.push(`(and ${error.issues.length - 5} more problems)`);
  return lines.join("\n  ");
}

function valueAt(root: unknown, path: readonly PropertyKey[]): { present: boolean; value?: unknown } {
  let current: unknown = root;
  for (const key of path) {
    if (typeof current !== "object" || current === null || !(String(key) in current)) return { present: false };
    current = (current as Record<string, unknown>)[String(key)];
  }
  return { present: true, value: current };
}

function describeValue(slot: { present: boolean; value?: unknown }): string {
  if (!slot.present) return "nothing (the key is missing)";
  const { value } = slot;
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === "object") return "an object";
  const shown = JSON.stringify(value);
  return `${typeof value} ${shown.length > 60 ? `${shown.slice(0, 57)}...` : shown}`;
}
