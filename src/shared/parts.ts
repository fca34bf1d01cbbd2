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
}
export interface DocumentPart {
  type: "document";
  format: DocumentFormat;
  name: string;
  source: FileSource;
}
export interface ToolUsePart {
  type: "toolUse";
  id: string;
  name: string;
  input: unknown;
}
export type ToolResultContent = { type: "text"; text: string } | { type: "json"; json: unknown } | ImagePart;
export interface ToolResultPart {
  type: "toolResult";
  toolUseId: string;
  status: "success" | "error";
  content: ToolResultContent[];
}

export type Part = TextPart | ReasoningPart | RedactedReasoningPart | ImagePart | DocumentPart | ToolUsePart | ToolResultPart;

/** Who wrote a message of a conversation (not an account's role). */
export type MessageRole = "user" | "assistant";

export function assertNever(value: never, what: string): never {
  throw new Error(`Unhandled ${what}: ${JSON.stringify(value)}`);
}
