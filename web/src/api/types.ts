/** Shapes of the server's JSON API (see /api/docs). */
export type Effort = "low" | "medium" | "high";

export interface Profile {
  name: string;
  modelId: string;
  region: string;
  default: boolean;
  capabilities: { vision: boolean; document: boolean; tool: boolean; streaming: boolean; reasoning: "none" | "anthropic" | "openai" | "always-on" };
  price: { input1k: string; output1k: string } | null;
  settings: {
    streaming: { available: boolean; default: boolean };
    temperature: { available: boolean; min: number; max: number; step: number; default: number; disabledWhileThinking: boolean };
    topP: { available: boolean; min: number; max: number; step: number };
    maxTokens: { min: number; max: number; step: number; default: number };
    thinking: { available: boolean; alwaysOn: boolean; default: boolean };
    budgetTokens: { available: boolean; min: number; max: number; step: number; default: number };
    effort: { available: boolean; options: Effort[]; default: Effort };
    interleaved: { available: boolean; default: boolean };
    costPrecision: { min: number; max: number; default: number };
    systemPrompt: { default: string };
  };
}

export interface ChatSettings {
  stream?: boolean;
  thinking?: boolean;
  budgetTokens?: number;
  effort?: Effort;
  interleaved?: boolean;
  temperature?: number;
  topP?: number | null;
  maxTokens?: number;
  system?: string | null;
  showCost?: boolean;
  costPrecision?: number;
}

export interface ThreadSummary {
  id: string;
  title: string;
  profile: string;
  createdAt: string;
  updatedAt: string;
}

export interface Thread extends ThreadSummary {
  settings: ChatSettings;
  activeLeafId: string | null;
  extraCost: string;
}

export type Part =
  | { type: "text"; text: string }
  | { type: "reasoning"; text: string; signature?: string }
  | { type: "redactedReasoning"; data: string }
  | { type: "image"; format: string; data: string }
  | { type: "document"; format: string; name: string; data: string }
  | { type: "toolUse"; id: string; name: string; input: unknown }
  | { type: "toolResult"; toolUseId: string; status: "success" | "error"; content: unknown[] };

import type { UsageCounts } from "../../../src/shared/generation-events.js";

export type Usage = UsageCounts;

export interface Message {
  id: string;
  threadId: string;
  parentId: string | null;
  role: "user" | "assistant";
  parts: Part[];
  status: "streaming" | "complete" | "stopped" | "error";
  profile: string | null;
  modelId: string | null;
  usage: Usage;
  cost: string | null;
  error: { code: string; message: string; retryable: boolean } | null;
  meta: { reasoningMs?: number; stopReason?: string | null; notices?: string[] };
  createdAt: string;
}

export interface ThreadDetail {
  thread: Thread;
  messages: Message[];
  running: { generationId: string; messageId: string } | null;
  cost: { total: string; complete: boolean };
}

export type { GenerationEvent } from "../../../src/shared/generation-events.js";

export type AuthMode = "none" | "local" | "oidc";

export type { Account, AuditEntry, UsageRow } from "../../../src/shared/accounts.js";
export type { User as SessionUser } from "../../../src/shared/accounts.js";
import type { User } from "../../../src/shared/accounts.js";

export interface SessionInfo {
  authMode: AuthMode;
  user: User | null;
  setupRequired: boolean;
}
