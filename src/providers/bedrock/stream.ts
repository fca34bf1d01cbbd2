import type { ContentBlock, ConverseOutput, ConverseStreamOutput, TokenUsage } from "@aws-sdk/client-bedrock-runtime";
import { ChatError } from "../../engine/errors.js";
import type { ProviderEvent } from "../../engine/provider.js";
import type { Usage } from "../../engine/types.js";
import { toChatError } from "./errors.js";

/**
 * ConverseStream events -> engine events, one event at a time and synchronously (no extra async layer per delta).
 * Tool input fragments are joined per block and parsed at the block's end.
 */
export class StreamMapper {
  private readonly tools = new Map<number, { id: string; name: string; input: string }>();

  constructor(private readonly context: ErrorContext) {}

  map(event: ConverseStreamOutput): ProviderEvent | undefined {
    if (event.contentBlockDelta) {
      const { delta, contentBlockIndex = 0 } = event.contentBlockDelta;
      if (delta?.text !== undefined) return delta.text === "" ? undefined : { type: "text", delta: delta.text };
      const r = delta?.reasoningContent;
      if (r) {
        if (r.text !== undefined) return { type: "reasoning", delta: r.text };
        if (r.signature !== undefined) return { type: "reasoningSignature", signature: r.signature };
        if (r.redactedContent !== undefined) return { type: "redactedReasoning", data: Buffer.from(r.redactedContent).toString("base64") };
        return undefined;
      }
      if (delta?.toolUse) {
        const tool = this.tools.get(contentBlockIndex);
        if (tool) tool.input += delta.toolUse.input ?? "";
      }
      return undefined;
    }
    if (event.contentBlockStart) {
      const start = event.contentBlockStart.start?.toolUse;
      if (start) this.tools.set(event.contentBlockStart.contentBlockIndex ?? 0, { id: start.toolUseId ?? "", name: start.name ?? "", input: "" });
      return undefined;
    }
    if (event.contentBlockStop) {
      const index = event.contentBlockStop.contentBlockIndex ?? 0;
      const tool = this.tools.get(index);
      if (!tool) return undefined;
      this.tools.delete(index);
      return { type: "toolUse", id: tool.id, name: tool.name, input: parseToolInput(tool.name, tool.input) };
    }
    if (event.messageStop) return { type: "stop", reason: event.messageStop.stopReason ?? "end_turn" };
    if (event.metadata) return event.metadata.usage ? { type: "usage", usage: toUsage(event.metadata.usage) } : undefined;
    const exception =
      event.internalServerException ?? event.modelStreamErrorException ?? event.serviceUnavailableException ?? event.throttlingException ?? event.validationException;
    if (exception) throw toChatError(exception, this.context);
    return undefined;
  }
}

/** Converse (non-streaming) response -> the same engine events a stream would give. */
export function* fromResponse(output: { output?: ConverseOutput | undefined; stopReason?: string | undefined; usage?: TokenUsage | undefined }): Generator<ProviderEvent> {
  const content: ContentBlock[] = output.output?.message?.content ?? [];
  for (const block of content) {
    if (block.reasoningContent?.reasoningText) {
      const { text, signature } = block.reasoningContent.reasoningText;
      if (text) yield { type: "reasoning", delta: text };
      if (signature !== undefined) yield { type: "reasoningSignature", signature };
    } else if (block.reasoningContent?.redactedContent) {
      yield { type: "redactedReasoning", data: Buffer.from(block.reasoningContent.redactedContent).toString("base64") };
    } else if (block.text !== undefined) {
      if (block.text !== "") yield { type: "text", delta: block.text };
    } else if (block.toolUse) {
      yield { type: "toolUse", id: block.toolUse.toolUseId ?? "", name: block.toolUse.name ?? "", input: block.toolUse.input ?? {} };
    }
  }
  yield { type: "stop", reason: output.stopReason ?? "end_turn" };
  if (output.usage) yield { type: "usage", usage: toUsage(output.usage) };
}

export interface ErrorContext {
  modelId: string;
  region: string;
}

function toUsage(usage: TokenUsage): Usage {
  return {
    inputTokens: usage.inputTokens ?? 0,
    outputTokens: usage.outputTokens ?? 0,
    cacheReadInputTokens: usage.cacheReadInputTokens ?? 0,
    cacheWriteInputTokens: usage.cacheWriteInputTokens ?? 0,
  };
}

function parseToolInput(name: string, input: string): unknown {
  if (input.trim() === "") return {};
  try {
    return JSON.parse(input);
  } catch {
    throw new ChatError("model_error", `The model asked for tool ${name} with input that is not valid JSON; try again.`, true);
  }
}
