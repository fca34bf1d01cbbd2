import type {
  ContentBlock,
  ConverseStreamCommandInput,
  Message as BedrockMessage,
  ToolResultContentBlock,
} from "@aws-sdk/client-bedrock-runtime";
import type { ModelRequest, ReasoningRequest } from "../../engine/provider.js";
import { assertNever, type FileSource, type Message, type Part, type ToolResultPart } from "../../engine/types.js";
import { withCachePoints } from "./cache-points.js";

export const INTERLEAVED_THINKING_BETA = "interleaved-thinking-2025-05-14";

/** Engine request -> Converse / ConverseStream input (the two share every field we use), with its cache checkpoints. */
export function toConverseInput(request: ModelRequest): ConverseStreamCommandInput {
  const input = converseInput(request);
  return request.cache ? withCachePoints(input, request.cache) : input;
}

function converseInput(request: ModelRequest): ConverseStreamCommandInput {
  // Bedrock rejects toolUse/toolResult blocks without a toolConfig; when no tools are offered now, earlier
  // tool rounds are sent as text so the history stays valid.
  const toolsOffered = request.tools !== undefined && request.tools.length > 0;
  const additional = reasoningFields(request.reasoning);
  return {
    modelId: request.modelId,
    messages: request.messages.map((m) => toBedrockMessage(m, toolsOffered)),
    ...(request.system !== undefined ? { system: [{ text: request.system }] } : {}),
    inferenceConfig: {
      maxTokens: request.inference.maxTokens,
      ...(request.inference.temperature !== undefined ? { temperature: request.inference.temperature } : {}),
      ...(request.inference.topP !== undefined ? { topP: request.inference.topP } : {}),
      ...(request.inference.stopSequences?.length ? { stopSequences: request.inference.stopSequences } : {}),
    },
    ...(additional ? { additionalModelRequestFields: additional } : {}),
    ...(toolsOffered
      ? {
          toolConfig: {
            tools: request.tools!.map((tool) => ({
              toolSpec: {
                name: tool.name,
                ...(tool.description ? { description: tool.description } : {}),
                inputSchema: { json: tool.inputSchema as never },
              },
            })),
          },
        }
      : {}),
  };
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

function reasoningFields(reasoning: ReasoningRequest | undefined): { [key: string]: Json } | undefined {
  if (!reasoning) return undefined;
  switch (reasoning.type) {
    case "budget":
      return {
        thinking: { type: "enabled", budget_tokens: reasoning.budgetTokens },
        ...(reasoning.interleaved ? { anthropic_beta: [INTERLEAVED_THINKING_BETA] } : {}),
      };
    case "effort":
      return { reasoning_effort: reasoning.effort };
    default:
      return assertNever(reasoning, "reasoning request");
  }
}

function toBedrockMessage(message: Message, toolsOffered: boolean): BedrockMessage {
  return { role: message.role, content: message.parts.map((p) => toContentBlock(p, toolsOffered)) };
}

function toContentBlock(part: Part, toolsOffered: boolean): ContentBlock {
  switch (part.type) {
    case "text":
      return { text: part.text };
    case "reasoning":
      return {
        reasoningContent: {
          reasoningText: { text: part.text, ...(part.signature !== undefined ? { signature: part.signature } : {}) },
        },
      };
    case "redactedReasoning":
      return { reasoningContent: { redactedContent: Buffer.from(part.data, "base64") } };
    case "image":
      return { image: { format: part.format, source: fileSource(part.source) } };
    case "document":
      return { document: { format: part.format, name: part.name, source: fileSource(part.source) } };
    case "toolUse":
      if (!toolsOffered) return { text: `[Called tool ${part.name} with input ${JSON.stringify(part.input)}]` };
      return { toolUse: { toolUseId: part.id, name: part.name, input: part.input as never } };
    case "toolResult":
      if (!toolsOffered) return { text: `[Tool result${part.status === "error" ? " (error)" : ""}: ${toolResultText(part)}]` };
      return {
        toolResult: {
          toolUseId: part.toolUseId,
          status: part.status,
          content: part.content.map(toToolResultBlock),
        },
      };
    default:
      return assertNever(part, "part");
  }
}

function toToolResultBlock(item: ToolResultPart["content"][number]): ToolResultContentBlock {
  switch (item.type) {
    case "text":
      return { text: item.text };
    case "json":
      return { json: item.json as never };
    case "image":
      return { image: { format: item.format, source: fileSource(item.source) } };
    default:
      return assertNever(item, "tool result content");
  }
}

/**
 * A file's bytes or S3 location as Bedrock takes them. The engine resolves stored attachments before a request
 * reaches the provider, so one here is a bug, not a user error.
 */
function fileSource(source: FileSource): { bytes: Uint8Array; s3Location?: never } | { s3Location: { uri: string; bucketOwner?: string }; bytes?: never } {
  switch (source.type) {
    case "bytes":
      return { bytes: Buffer.from(source.data, "base64") };
    case "s3":
      return { s3Location: { uri: source.uri, ...(source.bucketOwner ? { bucketOwner: source.bucketOwner } : {}) } };
    case "attachment":
      throw new Error(`attachment ${source.id} reached the Bedrock request unresolved (the engine resolves attachments first)`);
    default:
      return assertNever(source, "file source");
  }
}

function toolResultText(part: ToolResultPart): string {
  return part.content
    .map((c) => (c.type === "text" ? c.text : c.type === "json" ? JSON.stringify(c.json) : `[${c.format} image]`))
    .join("\n");
}
