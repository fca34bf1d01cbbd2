/**
 * The parts a message is made of, in order: one type for the engine, the store, the server's API and the web app.
 * Provider-neutral: nothing here knows Bedrock's wire shapes.
 */

export type ImageFormat = "png" | "jpeg" | "gif" | "webp";
export type DocumentFormat = "pdf" | "csv" | "doc" | "docx" | "xls" | "xlsx" | "html" | "txt" | "md";

/**
 * Where a file's bytes are: inline (base64), a stored attachment (resolved to bytes only when a model request is
 * built, never rewritten by progress saves or sent in listings), or an S3 object Bedrock reads itself.
 */
export type FileSource =
  | { type: "bytes"; data: string }
  | { type: "attachment"; id: string }
  | { type: "s3"; uri: string; bucketOwner?: string };

export interface TextPart {
  type: "text";
  text: string;
}
/** Model reasoning; `signature` proves it unmodified (Anthropic) and arrives once the block is complete. */
export interface ReasoningPart {
  type: "reasoning";
  text: string;
  signature?: string;
}
/** Reasoning the provider encrypted; `data` is base64 and must be replayed verbatim. */
export interface RedactedReasoningPart {
  type: "redactedReasoning";
  data: string;
}
export interface ImagePart {
  type: "image";
  format: ImageFormat;
  source: FileSource;
  /** The user's file name, for display and for the text that stands in when the file cannot be sent. */
  fileName?: string;
}
export interface DocumentPart {
  type: "document";
  format: DocumentFormat;
  /** The name Bedrock gets: letters, digits, single spaces, hyphens, parentheses, square brackets (names.ts). */
  name: string;
  source: FileSource;
  fileName?: string;
}
export interface ToolUsePart {
  type: "toolUse";
  id: string;
  /** The tool's name as the model sees it (MCP tools: `server__tool`, shortened with a hash when too long). */
  name: string;
  input: unknown;
  /** The MCP server and its own name for the tool behind `name`, when known: for display and records, never sent to the model. */
  server?: string;
  tool?: string;
}
/**
 * A tool result's text. A long one is stored like an attachment (`source`): `text` is then its beginning, for
 * display, and the whole (`chars` characters) is read back only when a model request is built.
 */
export interface ToolResultText {
  type: "text";
  text: string;
  source?: { type: "attachment"; id: string };
  chars?: number;
}
export type ToolResultContent = ToolResultText | { type: "json"; json: unknown } | ImagePart;
export interface ToolResultPart {
  type: "toolResult";
  toolUseId: string;
  status: "success" | "error";
  content: ToolResultContent[];
  /** How long the call took (ms, from the engine's start of the call to its result): display and records, never sent to the model. */
  durationMs?: number;
  /** The tool never ran: the user declined it, or the answer was stopped while it waited for permission. */
  notRun?: "declined" | "stopped";
}

export type Part = TextPart | ReasoningPart | RedactedReasoningPart | ImagePart | DocumentPart | ToolUsePart | ToolResultPart;

/** Who wrote a message of a conversation (not an account's role). */
export type MessageRole = "user" | "assistant";

export function assertNever(value: never, what: string): never {
  throw new Error(`Unhandled ${what}: ${JSON.stringify(value)}`);
}

/** The attachment ids the parts refer to (images and documents, tool-result images included), in order. */
export function attachmentIds(parts: readonly Part[]): string[] {
  const ids: string[] = [];
  const add = (source: FileSource) => {
    if (source.type === "attachment" && !ids.includes(source.id)) ids.push(source.id);
  };
  for (const part of parts) {
    if (part.type === "image" || part.type === "document") add(part.source);
    else if (part.type === "toolResult") for (const item of part.content) if (item.type === "image" || (item.type === "text" && item.source)) add(item.source!);
  }
  return ids;
}

/** A tool result as text: what the stream sends for it and what the web shows after a reload (one rule for both). */
export function toolResultText(content: readonly ToolResultContent[]): string {
  return content.map((c) => (c.type === "text" ? c.text : c.type === "json" ? JSON.stringify(c.json) : `[${c.format} image]`)).join("\n");
}
