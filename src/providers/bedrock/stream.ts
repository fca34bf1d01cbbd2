import type { ContentBlock, ContentBlockDelta, ConverseOutput, ConverseStreamOutput, ReasoningContentBlockDelta, TokenUsage } from "@aws-sdk/client-bedrock-runtime";
import { ChatError } from "../../engine/errors.js";
import type { ProviderEvent } from "../../engine/provider.js";
import { assertNever, type Usage } from "../../engine/types.js";
import { toChatError } from "./errors.js";

/**
 * The key of the one member an AWS SDK union value carries (`{text: "..."}` -> "text"). Over a union type it is the
 * union of its members' keys, so a `switch` on it that ends in `assertNever` stops compiling when the SDK adds a
 * member (a new Bedrock block or event type): a compile error, never a silent drop.
 */
type MemberKey<U> = U extends unknown ? { [K in keyof U]-?: {} extends Pick<U, K> ? never : K }[keyof U] : never;

function memberKey<U extends object>(union: U): MemberKey<U> {
  // for...in allocates nothing: this runs for every streamed delta.
  for (const key in union) if (union[key] !== undefined) return key as unknown as MemberKey<U>;
  return "$unknown" as MemberKey<U>;
}

/**
 * ConverseStream events -> engine events, one event at a time and synchronously (no extra async layer per delta).
 * Tool input fragments are joined per block and parsed at the block's end.
 */
export class StreamMapper {
  private readonly tools = new Map<number, { id: string; name: string; input: string }>();

  constructor(private readonly context: ErrorContext) {}

  map(event: ConverseStreamOutput): ProviderEvent | undefined {
    // Deltas are nearly every event: named first, without walking the keys.
    const kind: MemberKey<ConverseStreamOutput> = event.contentBlockDelta !== undefined ? "contentBlockDelta" : memberKey(event);
    switch (kind) {
      case "contentBlockDelta": {
        const { delta, contentBlockIndex = 0 } = event.contentBlockDelta!;
        return delta ? this.delta(delta, contentBlockIndex) : undefined;
      }
      case "contentBlockStart": {
        const start = event.contentBlockStart!.start?.toolUse;
        if (start) this.tools.set(event.contentBlockStart!.contentBlockIndex ?? 0, { id: start.toolUseId ?? "", name: start.name ?? "", input: "" });
        return undefined;
      }
      case "contentBlockStop": {
        const index = event.contentBlockStop!.contentBlockIndex ?? 0;
        const tool = this.tools.get(index);
        if (!tool) return undefined;
        this.tools.delete(index);
        return { type: "toolUse", id: tool.id, name: tool.name, input: parseToolInput(tool.name, tool.input) };
      }
      case "messageStart":
        return undefined;
      case "messageStop":
        return { type: "stop", reason: event.messageStop!.stopReason ?? "end_turn" };
      case "metadata":
        return event.metadata!.usage ? { type: "usage", usage: toUsage(event.metadata!.usage) } : undefined;
      case "internalServerException":
      case "modelStreamErrorException":
      case "serviceUnavailableException":
      case "throttlingException":
      case "validationException":
        throw toChatError(event[kind], this.context);
      case "$unknown":
        return undefined;
      default:
        return assertNever(kind, "ConverseStream event");
    }
  }

  private delta(delta: ContentBlockDelta, index: number): ProviderEvent | undefined {
    const kind: MemberKey<ContentBlockDelta> = delta.text !== undefined ? "text" : memberKey(delta);
    switch (kind) {
      case "text":
        return delta.text === "" ? undefined : { type: "text", delta: delta.text! };
      case "reasoningContent":
        return reasoningDelta(delta.reasoningContent!);
      case "toolUse": {
        const tool = this.tools.get(index);
        if (tool) tool.input += delta.toolUse!.input ?? "";
        return undefined;
      }
      // Not asked for: we enable no citations, and image or tool-result deltas come only from features we do not use.
      case "citation":
      case "image":
      case "toolResult":
      case "$unknown":
        return undefined;
      default:
        return assertNever(kind, "content block delta");
    }
  }
}

function reasoningDelta(r: ReasoningContentBlockDelta): ProviderEvent | undefined {
  const kind = memberKey(r);
  switch (kind) {
    case "text":
      return { type: "reasoning", delta: r.text! };
    case "signature":
      return { type: "reasoningSignature", signature: r.signature! };
    case "redactedContent":
      return { type: "redactedReasoning", data: Buffer.from(r.redactedContent!).toString("base64") };
    case "$unknown":
      return undefined;
    default:
      return assertNever(kind, "reasoning delta");
  }
}

/** Converse (non-streaming) response -> the same engine events a stream would give. */
export function* fromResponse(output: { output?: ConverseOutput | undefined; stopReason?: string | undefined; usage?: TokenUsage | undefined }): Generator<ProviderEvent> {
  const content: ContentBlock[] = output.output?.message?.content ?? [];
  for (const block of content) yield* blockEvents(block);
  yield { type: "stop", reason: output.stopReason ?? "end_turn" };
  if (output.usage) yield { type: "usage", usage: toUsage(output.usage) };
}

function* blockEvents(block: ContentBlock): Generator<ProviderEvent> {
  const kind = memberKey(block);
  switch (kind) {
    case "text":
      if (block.text !== "") yield { type: "text", delta: block.text! };
      return;
    case "reasoningContent": {
      const reasoning = block.reasoningContent!;
      if (reasoning.reasoningText) {
        const { text, signature } = reasoning.reasoningText;
        if (text) yield { type: "reasoning", delta: text };
        if (signature !== undefined) yield { type: "reasoningSignature", signature };
      } else if (reasoning.redactedContent) {
        yield { type: "redactedReasoning", data: Buffer.from(reasoning.redactedContent).toString("base64") };
      }
      return;
    }
    case "toolUse":
      yield { type: "toolUse", id: block.toolUse!.toolUseId ?? "", name: block.toolUse!.name ?? "", input: block.toolUse!.input ?? {} };
      return;
    // Blocks a model does not answer with for the requests we send (inputs, cache points, citations we never enable).
    case "audio":
    case "cachePoint":
    case "citationsContent":
    case "document":
    case "guardContent":
    case "image":
    case "searchResult":
    case "toolAddition":
    case "toolRemoval":
    case "toolResult":
    case "video":
    case "$unknown":
      return;
    default:
      assertNever(kind, "content block");
  }
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
    // Writes per TTL; without cacheDetails every write is billed as a 5-minute one.
    cacheWrite1hInputTokens: usage.cacheDetails?.reduce((n, d) => n + (d.ttl === "1h" ? (d.inputTokens ?? 0) : 0), 0) ?? 0,
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
