import type { GenerationEvent, Part, ToolApprovalEvent } from "../../api/types.js";
import { assertNever } from "../../../../src/shared/parts.js";

/** The answer being generated: the same parts a stored answer has, folded from the stream's events as they arrive. */
export interface LiveAnswer {
  generationId: string;
  messageId: string;
  parts: Part[];
  /** How long the model reasoned (the server's measure, also saved in the message's meta). */
  reasoningMs: number | undefined;
  reasoningStartedAt: number | undefined;
  notices: string[];
  error: { code: string; message: string; retryable: boolean } | undefined;
  /** Tool calls waiting for the user's permission, in the order they asked. */
  approvals: ToolApprovalEvent[];
}

export const emptyLive = (generationId: string, messageId: string): LiveAnswer => ({
  generationId,
  messageId,
  parts: [],
  reasoningMs: undefined,
  reasoningStartedAt: undefined,
  notices: [],
  error: undefined,
  approvals: [],
});

/**
 * One event into the answer's parts, in the order they happened: text and reasoning deltas grow the last part of
 * their kind or start one, redacted reasoning, tool uses and tool results each add a part. The parts before the
 * last keep their identity (memoized blocks do not re-render); an event that adds no part returns `parts` itself.
 */
export function foldParts(parts: Part[], event: GenerationEvent): Part[] {
  const last = parts[parts.length - 1];
  switch (event.type) {
    case "text":
      if (!event.delta) return parts;
      return last?.type === "text" ? [...parts.slice(0, -1), { type: "text", text: last.text + event.delta }] : [...parts, { type: "text", text: event.delta }];
    case "reasoning":
      if (!event.delta) return parts;
      return last?.type === "reasoning" ? [...parts.slice(0, -1), { ...last, text: last.text + event.delta }] : [...parts, { type: "reasoning", text: event.delta }];
    case "reasoning_end":
      // The stream does not carry the encrypted data (the browser has no use for it).
      return event.redacted ? [...parts, { type: "redactedReasoning", data: "" }] : parts;
    case "tool_use":
      return [...parts, { type: "toolUse", id: event.id, name: event.name, input: event.input, ...(event.server !== undefined && event.tool !== undefined ? { server: event.server, tool: event.tool } : {}) }];
    case "tool_result":
      return [...parts, { type: "toolResult", toolUseId: event.toolUseId, status: event.status, content: event.content ?? (event.text ? [{ type: "text", text: event.text }] : []), ...(event.durationMs !== undefined ? { durationMs: event.durationMs } : {}), ...(event.notRun ? { notRun: event.notRun } : {}) }];
    case "start":
    case "usage":
    case "notice":
    case "error":
    case "done":
    case "tool_approval":
    case "tool_approval_end":
      return parts;
    default:
      return assertNever(event, "generation event");
  }
}

/** One event into the live answer (`now`: when it arrived, for the thinking timer). */
export function foldLive(live: LiveAnswer, event: GenerationEvent, now: number): LiveAnswer {
  const parts = foldParts(live.parts, event);
  const next = parts === live.parts ? live : { ...live, parts };
  switch (event.type) {
    case "reasoning":
      return next.reasoningStartedAt === undefined ? { ...next, reasoningStartedAt: now } : next;
    case "reasoning_end":
      // A redacted block's end carries no duration (the server measures readable reasoning only, and saves that).
      return event.redacted ? next : { ...next, reasoningMs: event.ms };
    case "notice":
      return { ...next, notices: [...next.notices, event.message] };
    case "error":
      return { ...next, error: { code: event.code, message: event.message, retryable: event.retryable } };
    case "tool_approval":
      return { ...next, approvals: [...next.approvals.filter((a) => a.toolUseId !== event.toolUseId), event] };
    case "tool_approval_end":
      return { ...next, approvals: next.approvals.filter((a) => a.toolUseId !== event.toolUseId) };
    default:
      return next;
  }
}
