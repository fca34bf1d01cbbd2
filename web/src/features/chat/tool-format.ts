import type { ImagePart, ToolResultContent, ToolUsePart } from "../../api/types.js";

/** The separator between the server's part and the tool's part of a tool's name as the model sees it (src/tools/names.ts). */
const SEPARATOR = "__";

/**
 * A tool's name as the model called it, `server__tool` for MCP tools, split at the first `__` into the tool and
 * its server (the server's part as the model sees it: its name with characters Bedrock refuses replaced). A name
 * without `__`, or with nothing on one side of it, is the tool's name alone.
 */
export function splitToolName(name: string): { tool: string; server: string | null } {
  const at = name.indexOf(SEPARATOR);
  if (at <= 0 || at + SEPARATOR.length >= name.length) return { tool: name, server: null };
  return { server: name.slice(0, at), tool: name.slice(at + SEPARATOR.length) };
}

/**
 * The tool and server a step names: the MCP names stored on the part (right even when the model's name was shortened
 * with a hash), or, for answers saved before parts carried them, the model's name split at `__`.
 */
export function toolNames(use: Pick<ToolUsePart, "name" | "server" | "tool">): { tool: string; server: string | null } {
  if (use.server !== undefined && use.tool !== undefined) return { tool: use.tool, server: use.server };
  return splitToolName(use.name);
}

/** A value as indented JSON (a string that holds JSON is parsed first, so it is indented too). */
export function prettyJson(value: unknown): string {
  if (value === undefined) return "";
  if (typeof value === "string") return prettyText(value);
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Text that is a JSON object or array, indented; any other text as it is. */
export function prettyText(text: string): string {
  const trimmed = text.trim();
  if (!/^[[{]/.test(trimmed)) return text;
  try {
    return JSON.stringify(JSON.parse(trimmed), null, 2);
  } catch {
    return text;
  }
}

/**
 * What a tool result shows, in order: its text (JSON indented) in blocks, and its images. Consecutive text and
 * JSON items make one block, so a result reads the same streamed (one text) and read back after a reload.
 */
export type ResultBlock = { kind: "text"; text: string } | { kind: "image"; part: ImagePart } | { kind: "more"; url: string; shown: number; chars: number };

export function resultBlocks(content: readonly ToolResultContent[]): ResultBlock[] {
  const blocks: ResultBlock[] = [];
  let texts: string[] = [];
  const flush = () => {
    if (texts.length) blocks.push({ kind: "text", text: texts.join("\n") });
    texts = [];
  };
  for (const item of content) {
    if (item.type === "text" && item.source) {
      // A long result: its beginning, then where the whole is (the model got all of it).
      texts.push(item.text);
      flush();
      blocks.push({ kind: "more", url: `/api/attachments/${encodeURIComponent(item.source.id)}`, shown: item.text.length, chars: item.chars ?? item.text.length });
    } else if (item.type === "text") {
      if (item.text !== "") texts.push(prettyText(item.text));
    } else if (item.type === "json") texts.push(prettyJson(item.json));
    else {
      flush();
      blocks.push({ kind: "image", part: item });
    }
  }
  flush();
  return blocks;
}
