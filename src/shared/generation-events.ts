import type { ToolResultContent } from "./parts.js";

/**
 * The events of a generation as the browser receives them over SSE. Types only: shared by the server and the web
 * app (a change here is a compile error on both sides, never a silent mismatch).
 */
export interface UsageCounts {
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens: number;
  cacheWriteInputTokens: number;
  /** The 1-hour share of `cacheWriteInputTokens` (the rest was written for 5 minutes). */
  cacheWrite1hInputTokens: number;
}

/** Events a client receives over SSE. */
export type GenerationEvent =
  | { type: "start"; messageId: string; profile: string; modelId: string }
  | { type: "text"; delta: string }
  | { type: "reasoning"; delta: string }
  | { type: "reasoning_end"; ms: number; redacted?: boolean }
  /** `server` and `tool`: the MCP server and its own name for the tool behind `name`, when known (as on the stored part). */
  | { type: "tool_use"; id: string; name: string; input: unknown; server?: string; tool?: string }
  /** `durationMs`: how long the call took (as on the stored part). */
  | { type: "tool_result"; toolUseId: string; status: "success" | "error"; text: string; durationMs?: number; notRun?: "declined" | "stopped"; content?: ToolResultContent[] }
  | ToolApprovalEvent
  | { type: "tool_approval_end"; toolUseId: string; decision: ToolDecision }
  | { type: "usage"; usage: UsageCounts; cost: string | null }
  | { type: "notice"; message: string }
  | { type: "error"; code: string; message: string; retryable: boolean }
  | { type: "done"; status: "complete" | "stopped" | "error"; messageId: string };

/** What the user decided about a tool call waiting for permission ("always": allow, and never ask again for this tool). */
export type ToolDecision = "allow" | "always" | "deny";

/** A tool call waits for the user's permission (it stays waiting until decided or stopped, also across reloads). */
export interface ToolApprovalEvent {
  type: "tool_approval";
  toolUseId: string;
  /** The MCP server and tool name, as the user knows them. */
  server: string;
  tool: string;
}
