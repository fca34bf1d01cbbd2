import { existsSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";

/** The patterns of a .dockerignore (comments and blank lines dropped). */
export function readDockerignore(root: string): string[] {
  const file = join(root, ".dockerignore");
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"));
}

function patternRegex(pattern: string): RegExp {
  const body = pattern
    .replace(/^\/+/, "")
    .replace(/\/+$/, "")
    .split("/")
    .map((part) => (part === "**" ? "(?:.*)" : part.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*").replace(/\?/g, "[^/]")))
    .join("/")
    .replace(/\(\?:\.\*\)\//g, "(?:.*/)?");
  return new RegExp(`^${body}$`);
}

/**
 * Whether `path` (relative to the build context, `/`-separated) is left out of the context: it or one of its
 * parent folders matches a pattern. Supports the forms this repo uses (names, `*`, `**`, `?`; no `!` exceptions).
 */
export function isIgnored(path: string, patterns: readonly string[]): boolean {
  const parts = path.split("/").filter(Boolean);
  const regexes = patterns.filter((p) => !p.startsWith("!")).map(patternRegex);
  for (let i = 1; i <= parts.length; i++) {
    const prefix = parts.slice(0, i).join("/");
    if (regexes.some((r) => r.test(prefix))) return true;
  }
  return false;
}

/** `file` relative to the build context `root`, `/`-separated; undefined when it lies outside. */
export function contextPath(root: string, file: string): string | undefined {
  const rel = relative(root, file);
  if (rel.startsWith("..") || rel === "" || rel.startsWith(sep)) return undefined;
  return rel.split(sep).join("/");
}
