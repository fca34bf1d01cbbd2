import type { ChatError } from "../../engine/errors.js";
import type { TurnEvent } from "../../engine/turn.js";
import { assertNever } from "../../engine/types.js";
import { toolResultText, type ToolResultContent } from "../../shared/parts.js";
import type { GenerationEvent } from "./relay.js";

/** An error as stored with a message and sent to the browser (the message ends with Bedrock's own words, if any). */
export function errorJson(error: ChatError): { code: string; message: string; retryable: boolean } {
  return { code: error.code, message: error.message, retryable: error.retryable };
}

/** The browser's view of an engine event; events the browser has no use for map to undefined. */
export function toClientEvent(event: TurnEvent): GenerationEvent | undefined {
  switch (event.type) {
    case "text":
      return { type: "text", delta: event.delta };
    case "reasoning":
      return { type: "reasoning", delta: event.delta };
    case "redactedReasoning":
      return { type: "reasoning_end", ms: 0, redacted: true };
    case "toolUse":
      return { type: "tool_use", id: event.id, name: event.name, input: event.input, ...(event.server !== undefined && event.tool !== undefined ? { server: event.server, tool: event.tool } : {}) };
    case "toolResult":
      return {
        type: "tool_result",
        toolUseId: event.result.toolUseId,
        status: event.result.status,
        text: toolResultText(event.result.content),
        ...(event.result.durationMs !== undefined ? { durationMs: event.result.durationMs } : {}),
        ...(event.result.notRun ? { notRun: event.result.notRun } : {}),
        // The result as the step shows it (images and long texts by reference), when it is small: then the step is
        // the same live as after a reload; otherwise the text alone.
        ...(contentFits(event.result.content) ? { content: event.result.content } : {}),
      };
    case "usage":
      return { type: "usage", usage: event.usage, cost: event.cost?.total ?? null };
    case "notice":
      return { type: "notice", message: event.message };
    case "error":
      return { type: "error", ...errorJson(event.error) };
    case "request":
    case "reasoningSignature":
    case "stop":
    case "done":
      return undefined;
    default:
      return assertNever(event, "turn event");
  }
}

/** Most bytes of a tool result's content sent along with its event (a result by reference is far below it). */
const EVENT_CONTENT_BYTES = 16_000;

function contentFits(content: readonly ToolResultContent[]): boolean {
  return content.every((c) => c.type !== "image" || c.source.type !== "bytes") && JSON.stringify(content).length <= EVENT_CONTENT_BYTES;
}
