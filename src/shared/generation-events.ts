/**
 * The events of a generation as the browser receives them over SSE. Types only: shared by the server and the web
 * app (a change here is a compile error on both sides, never a silent mismatch).
 */
export interface UsageCounts {
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens: number;
  cacheWriteInputTokens: number;
}

/** Events a client receives over SSE. */
export type GenerationEvent =
  | { type: "start"; messageId: string; profile: string; modelId: string }
  | { type: "text"; delta: string }
  | { type: "reasoning"; delta: string }
  | { type: "reasoning_end"; ms: number; redacted?: boolean }
  | { type: "tool_use"; id: string; name: string; input: unknown }
  | { type: "tool_result"; toolUseId: string; status: "success" | "error"; text: string }
  | { type: "usage"; usage: UsageCounts; cost: string | null }
  | { type: "notice"; message: string }
  | { type: "error"; code: string; message: string; retryable: boolean }
  | { type: "done"; status: "complete" | "stopped" | "error"; messageId: string };
