/** Provider-neutral conversation types. Nothing here knows about Bedrock's wire shapes. */

export type {
  DocumentFormat,
  DocumentPart,
  FileSource,
  ImageFormat,
  ImagePart,
  Part,
  ReasoningPart,
  RedactedReasoningPart,
  TextPart,
  ToolResultContent,
  ToolResultPart,
  ToolUsePart,
} from "../shared/parts.js";
export { assertNever } from "../shared/parts.js";
import type { MessageRole, Part } from "../shared/parts.js";

export type { MessageRole };



/** complete: answered in full; stopped: cut short by the user; error: the call failed (parts hold what arrived). */
export type MessageStatus = "complete" | "stopped" | "error";

export interface Message {
  role: MessageRole;
  parts: Part[];
  /** Assistant messages: how the generation ended. Absent means complete. */
  status?: MessageStatus;
  /** Assistant messages: the model id that produced it (reasoning is only replayed to that id). */
  modelId?: string;
}

/**
 * Tokens of one model call (or a sum of calls), as Bedrock reports them: `inputTokens` excludes the tokens read from
 * and written to the prompt cache (the whole input is the three added up).
 */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens: number;
  /** All tokens written to the cache, whatever their TTL. */
  cacheWriteInputTokens: number;
  /** The part of `cacheWriteInputTokens` written with the 1-hour TTL (Bedrock's `cacheDetails`); the rest is 5-minute. */
  cacheWrite1hInputTokens: number;
}

export const ZERO_USAGE: Usage = Object.freeze({ inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 0, cacheWriteInputTokens: 0, cacheWrite1hInputTokens: 0 });

export function addUsage(a: Usage, b: Usage): Usage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cacheReadInputTokens: a.cacheReadInputTokens + b.cacheReadInputTokens,
    cacheWriteInputTokens: a.cacheWriteInputTokens + b.cacheWriteInputTokens,
    cacheWrite1hInputTokens: a.cacheWrite1hInputTokens + b.cacheWrite1hInputTokens,
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
