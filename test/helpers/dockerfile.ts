import { readFileSync } from "node:fs";

/** One Dockerfile instruction, continuation lines joined, with the stage it belongs to. */
export interface Instruction {
  keyword: string;
  /** The arguments as written (after the keyword). */
  args: string;
  /** Flags such as --from=build or --chmod=0444. */
  flags: Record<string, string>;
  /** The words after the flags (for COPY: sources, then the destination). */
  words: string[];
  stage: string;
}

/** Parses a Dockerfile (no heredocs; `${ARG}` defaults substituted), enough to check what it copies and runs as. */
export function parseDockerfile(path: string): Instruction[] {
  const lines = readFileSync(path, "utf8").split("\n");
  const logical: string[] = [];
  let current = "";
  for (const line of lines) {
    if (/^\s*#/.test(line) && current === "") continue;
    if (/^\s*#/.test(line)) continue;
    const trimmed = line.replace(/\s+$/, "");
    if (trimmed.endsWith("\\")) {
      current += trimmed.slice(0, -1) + " ";
      continue;
    }
    current += trimmed;
    if (current.trim()) logical.push(current.trim());
    current = "";
  }
  const args = new Map<string, string>();
  const out: Instruction[] = [];
  let stage = "";
  for (const text of logical) {
    const [keyword = "", ...rest] = text.split(/\s+/);
    const raw = text.slice(keyword.length).trim();
    const substituted = raw.replace(/\$\{(\w+)\}/g, (_m, name: string) => args.get(name) ?? "");
    const flags: Record<string, string> = {};
    const words: string[] = [];
    for (const word of substituted.startsWith("[") ? [] : substituted.split(/\s+/)) {
      const flag = /^--([\w-]+)=(.*)$/.exec(word);
      if (flag && words.length === 0) flags[flag[1]!] = flag[2]!;
      else words.push(word);
    }
    const upper = keyword.toUpperCase();
    if (upper === "ARG") {
      const [name, value = ""] = (rest.join(" ")).split("=");
      args.set(name!, value);
    }
    if (upper === "FROM") stage = /\bAS\s+(\S+)/i.exec(substituted)?.[1] ?? substituted;
    out.push({ keyword: upper, args: substituted, flags, words, stage });
  }
  return out;
}

/** The instructions of the last stage (what the image is). */
export function finalStage(instructions: Instruction[]): Instruction[] {
  const last = instructions.at(-1)!.stage;
  return instructions.filter((i) => i.stage === last && i.keyword !== "FROM");
}
