import type { ProviderEvent } from "./provider.js";
import { toStoredParts } from "./stored-turn.js";
import { addUsage, assertNever, ZERO_USAGE, type Message, type MessageStatus, type Part, type StopReason, type ToolResultPart, type Usage } from "./types.js";

/** A model's tool use as the engine tells it: with the MCP server and tool behind its name when the executor knows them. */
export type ToolUseEvent = Extract<ProviderEvent, { type: "toolUse" }> & { server?: string; tool?: string };

/** What the turn's state folds: the model's events, a tool use with its names. */
export type FoldedEvent = Exclude<ProviderEvent, { type: "toolUse" }> | ToolUseEvent;

/**
 * The turn as the engine builds it, the one fold of a model's events: one assistant message per model call (its
 * parts in arrival order: reasoning, text, tool uses) and, between calls, a user message of tool results. The
 * engine applies every event here once; its shells read the same state to save progress and the final answer.
 */
export class TurnState {
  /** The turn's messages so far, the one being streamed last. */
  readonly messages: Message[] = [];
  /** Bumped on every change: a shell saving progress compares it with what it last saved. */
  version = 0;
  private current: Message | undefined;
  private callStop: StopReason | undefined;
  private callUsage: Usage = ZERO_USAGE;

  constructor(readonly modelId: string) {}

  /** Starts the assistant message of a new model call. */
  beginCall(): void {
    this.current = { role: "assistant", parts: [], modelId: this.modelId };
    this.messages.push(this.current);
    this.callStop = undefined;
    this.callUsage = ZERO_USAGE;
    this.version++;
  }

  apply(event: FoldedEvent): void {
    const message = this.current;
    if (!message) throw new Error("TurnState.apply before beginCall");
    const parts = message.parts;
    const last = parts[parts.length - 1];
    switch (event.type) {
      case "text":
        if (last?.type === "text") last.text += event.delta;
        else parts.push({ type: "text", text: event.delta });
        break;
      case "reasoning":
        if (last?.type === "reasoning" && last.signature === undefined) last.text += event.delta;
        else parts.push({ type: "reasoning", text: event.delta });
        break;
      case "reasoningSignature":
        if (last?.type === "reasoning") last.signature = event.signature;
        else parts.push({ type: "reasoning", text: "", signature: event.signature });
        break;
      case "redactedReasoning":
        parts.push({ type: "redactedReasoning", data: event.data });
        break;
      case "toolUse":
        parts.push({ type: "toolUse", id: event.id, name: event.name, input: event.input, ...(event.server !== undefined && event.tool !== undefined ? { server: event.server, tool: event.tool } : {}) });
        break;
      case "stop":
        this.callStop = event.reason;
        return;
      case "usage":
        this.callUsage = addUsage(this.callUsage, event.usage);
        return;
      default:
        assertNever(event, "provider event");
    }
    this.version++;
  }

  /** Ends the current call's message with a status; an interrupted call that produced nothing leaves no message. */
  endCall(status: MessageStatus): { message: Message | undefined; stopReason: StopReason | undefined; usage: Usage } {
    const message = this.current;
    this.current = undefined;
    if (message) {
      if (message.parts.length === 0 && status !== "complete") this.messages.splice(this.messages.indexOf(message), 1);
      else message.status = status;
      this.version++;
    }
    return { message: message && this.messages.includes(message) ? message : undefined, stopReason: this.callStop, usage: this.callUsage };
  }

  /** The tool results of the last call, as the user message the next call continues from. */
  addToolResults(results: ToolResultPart[]): Message {
    const message: Message = { role: "user", parts: results };
    this.messages.push(message);
    this.version++;
    return message;
  }

  /** The turn's parts as one stored row holds them (see stored-turn.ts). */
  get parts(): Part[] {
    return toStoredParts(this.messages);
  }
}

/** All text of the given kind in a list of messages, joined. */
export function collectText(messages: readonly Message[], kind: "text" | "reasoning"): string {
  let out = "";
  for (const message of messages) {
    for (const part of message.parts) {
      if (part.type === kind) out += part.text;
    }
  }
  return out;
}
