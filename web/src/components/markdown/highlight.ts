import type { HLJSApi, LanguageFn } from "highlight.js";

/** Syntax highlighting, loaded on the first code block, one language at a time. */
const LANGUAGES: Record<string, () => Promise<{ default: LanguageFn }>> = {
  javascript: () => import("highlight.js/lib/languages/javascript"),
  typescript: () => import("highlight.js/lib/languages/typescript"),
  python: () => import("highlight.js/lib/languages/python"),
  bash: () => import("highlight.js/lib/languages/bash"),
  json: () => import("highlight.js/lib/languages/json"),
  java: () => import("highlight.js/lib/languages/java"),
  go: () => import("highlight.js/lib/languages/go"),
  rust: () => import("highlight.js/lib/languages/rust"),
  c: () => import("highlight.js/lib/languages/c"),
  cpp: () => import("highlight.js/lib/languages/cpp"),
  csharp: () => import("highlight.js/lib/languages/csharp"),
  sql: () => import("highlight.js/lib/languages/sql"),
  yaml: () => import("highlight.js/lib/languages/yaml"),
  xml: () => import("highlight.js/lib/languages/xml"),
  css: () => import("highlight.js/lib/languages/css"),
  markdown: () => import("highlight.js/lib/languages/markdown"),
  ruby: () => import("highlight.js/lib/languages/ruby"),
  php: () => import("highlight.js/lib/languages/php"),
  kotlin: () => import("highlight.js/lib/languages/kotlin"),
  swift: () => import("highlight.js/lib/languages/swift"),
  diff: () => import("highlight.js/lib/languages/diff"),
  dockerfile: () => import("highlight.js/lib/languages/dockerfile"),
};
const ALIASES: Record<string, string> = { js: "javascript", jsx: "javascript", ts: "typescript", tsx: "typescript", py: "python", sh: "bash", shell: "bash", zsh: "bash", yml: "yaml", html: "xml", cs: "csharp", "c++": "cpp", rb: "ruby", md: "markdown", kt: "kotlin", docker: "dockerfile" };

let core: Promise<HLJSApi> | undefined;
const loaded = new Map<string, Promise<boolean>>();

export function canonicalLanguage(lang: string | undefined): string | undefined {
  if (!lang) return undefined;
  const name = ALIASES[lang.toLowerCase()] ?? lang.toLowerCase();
  return name in LANGUAGES ? name : undefined;
}

/** Highlighted HTML for the code (escaped by highlight.js), or undefined for unknown languages. */
export async function highlight(code: string, lang: string | undefined): Promise<string | undefined> {
  const name = canonicalLanguage(lang);
  if (!name) return undefined;
  core ??= import("highlight.js/lib/core").then((m) => m.default);
  const hljs = await core;
  if (!loaded.has(name)) loaded.set(name, LANGUAGES[name]!().then((m) => (hljs.registerLanguage(name, m.default), true)));
  await loaded.get(name);
  return hljs.highlight(code, { language: name, ignoreIllegals: true }).value;
}
