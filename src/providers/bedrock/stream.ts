import type { ContentBlock, ConverseOutput, ConverseStreamOutput, TokenUsage } from "@aws-sdk/client-bedrock-runtime";
import { ChatError } from "../../engine/errors.js";
import type { ProviderEvent } from "../../engine/provider.js";
import type { Usage } from "../../engine/types.js";
import { toChatError } from "./errors.js";

/** ConverseStream events -> engine events. Tool input fragments are joined and parsed at the block's end. */
export async function* fromStream(stream: AsyncIterable<ConverseStreamOutput>, context: ErrorContext): AsyncGenerator<ProviderEvent> {
  const tools = new Map<number, { id: string; name: string; input: string }>();
  for await (const event of stream) {
    if (event.contentBlockDelta) {
      const { delta, contentBlockIndex = 0 } = event.contentBlockDelta;
      if (delta?.text !== undefined) {
        if (delta.text !== "") yield { type: "text", delta: delta.text };
      } else if (delta?.reasoningContent) {
        const r = delta.reasoningContent;
        if (r.text !== undefined) yield { type: "reasoning", delta: r.text };
        else if (r.signature !== undefined) yield { type: "reasoningSignature", signature: r.signature };
        else if (r.redactedContent !== undefined) yield { type: "redactedReasoning", data: Buffer.from(r.redactedContent).toString("base64") };
      } else if (delta?.toolUse) {
        const tool = tools.get(contentBlockIndex);
        if (tool) tool.input += delta.toolUse.input ?? "";
      }
    } else if (event.contentBlockStart) {
      const start = event.contentBlockStart.start?.toolUse;
      if (start) tools.set(event.contentBlockStart.contentBlockIndex ?? 0, { id: start.toolUseId ?? "", name: start.name ?? "", input: "" });
    } else if (event.contentBlockStop) {
      const index = event.contentBlockStop.contentBlockIndex ?? 0;
      const tool = tools.get(index);
      if (tool) {
        tools.delete(index);
        yield { type: "toolUse", id: tool.id, name: tool.name, input: parseToolInput(tool.name, tool.input) };
      }
    } else if (event.messageStop) {
      yield { type: "stop", reason: event.messageStop.stopReason ?? "end_turn" };
    } else if (event.metadata) {
      if (event.metadata.usage) yield { type: "usage", usage: toUsage(event.metadata.usage) };
    } else {
      const exception =
        event.internalServerException ?? event.modelStreamErrorException ?? event.serviceUnavailableException ?? event.throttlingException ?? event.validationException;
      if (exception) throw toChatError(exception, context);
    }
  }
}

/** Converse (non-streaming) response -> the same engine events a stream would give. */
export function* fromResponse(output: { output?: ConverseOutput; stopReason?: string; usage?: TokenUsage }): Generator<ProviderEvent> {
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
