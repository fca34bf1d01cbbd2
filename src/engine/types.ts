/** Provider-neutral conversation types. Nothing here knows about Bedrock's wire shapes. */

export type ImageFormat = "png" | "jpeg" | "gif" | "webp";
export type DocumentFormat = "pdf" | "csv" | "doc" | "docx" | "xls" | "xlsx" | "html" | "txt" | "md";

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
  /** base64 */
  data: string;
}
export interface DocumentPart {
  type: "document";
  format: DocumentFormat;
  name: string;
  /** base64 */
  data: string;
}
export interface ToolUsePart {
  type: "toolUse";
  id: string;
  name: string;
  input: unknown;
}
export interface ToolResultPart {
  type: "toolResult";
  toolUseId: string;
  status: "success" | "error";
  content: ({ type: "text"; text: string } | { type: "json"; json: unknown } | ImagePart)[];
}

export type Part =
  | TextPart
  | ReasoningPart
  | RedactedReasoningPart
  | ImagePart
  | DocumentPart
  | ToolUsePart
  | ToolResultPart;

export type Role = "user" | "assistant";

/** complete: answered in full; stopped: cut short by the user; error: the call failed (parts hold what arrived). */
export type MessageStatus = "complete" | "stopped" | "error";

export interface Message {
  role: Role;
  parts: Part[];
  /** Assistant messages: how the generation ended. Absent means complete. */
  status?: MessageStatus;
  /** Assistant messages: the model id that produced it (reasoning is only replayed to that id). */
  modelId?: string;
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens: number;
  cacheWriteInputTokens: number;
}

export const ZERO_USAGE: Usage = Object.freeze({ inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 });

export function addUsage(a: Usage, b: Usage): Usage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cacheReadInputTokens: a.cacheReadInputTokens + b.cacheReadInputTokens,
    cacheWriteInputTokens: a.cacheWriteInputTokens + b.cacheWriteInputTokens,
  };
}

/** Bedrock's stop reasons plus `stopped` (the user aborted); unknown future values pass through as strings. */
export type StopReason =
  | "end_turn"
  | "tool_use"
  | "max_tokens"
  | "stop_sequence"
  | "guardrail_intervened"
  | "content_filtered"
  | "stopped"
  | (string & {});

export interface ToolSpec {
  name: string;
  description?: string;
  inputSchema: Record<string, unknown>;
}

export function assertNever(value: never, what: string): never {
  throw new Error(`Unhandled ${what}: ${JSON.stringify(value)}`);
}
