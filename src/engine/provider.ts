import type { PromptCaching } from "../config/resolve.js";
import type { Message, StopReason, ToolSpec, Usage } from "./types.js";

/** What the engine asks a model for. Providers map it to their wire format. */
export interface ModelRequest {
  modelId: string;
  region: string;
  system?: string;
  messages: Message[];
  inference: InferenceParams;
  reasoning?: ReasoningRequest;
  tools?: ToolSpec[];
  /**
   * Prompt caching: the profile's rules for checkpoints (TTL, whether the tool list takes one); the provider places
   * them. Absent: no checkpoint is sent.
   */
  cache?: PromptCaching;
  stream: boolean;
  signal?: AbortSignal;
}

export interface InferenceParams {
  maxTokens: number;
  temperature?: number;
  topP?: number;
  stopSequences?: string[];
}

/** Reasoning parameters, provider-neutral: a thinking budget (Anthropic style) or an effort level (OpenAI style). */
export type ReasoningRequest =
  | { type: "budget"; budgetTokens: number; interleaved: boolean }
  | { type: "effort"; effort: ReasoningEffort };

export type ReasoningEffort = "low" | "medium" | "high";

/** Events a provider yields for one model call, in arrival order. */
export type ProviderEvent =
  | { type: "text"; delta: string }
  | { type: "reasoning"; delta: string }
  | { type: "reasoningSignature"; signature: string }
  | { type: "redactedReasoning"; data: string }
  | { type: "toolUse"; id: string; name: string; input: unknown }
  | { type: "stop"; reason: StopReason }
  | { type: "usage"; usage: Usage };

export interface Provider {
  /** Streams one model call. Throws ChatError on failure (after yielding whatever arrived first). */
  converse(request: ModelRequest): AsyncIterable<ProviderEvent>;
}
