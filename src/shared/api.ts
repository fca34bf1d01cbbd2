/**
 * Shapes of the server's JSON API (see /api/docs), for the web app and the server alike. Types only, no runtime:
 * the web app imports them without pulling server code in; the server's zod schemas and responses are checked
 * against them at compile time.
 */
import type { UsageCounts } from "./generation-events.js";
import type { MessageRole, Part } from "./parts.js";
import type { SystemPromptUse } from "./prompts.js";
import type { Snippet } from "./snippet.js"; // threads (issue 12)

export type Effort = "low" | "medium" | "high";
export type ReasoningStyle = "none" | "anthropic" | "openai" | "always-on";

/** A sampling control: whether the profile lets you choose it, and whether it is fixed while the model thinks. */
export interface SamplingRule {
  available: boolean;
  fixedWhileThinking: boolean;
  min: number;
  max: number;
  step: number;
}

/** The controls a profile offers and their rules (engine/settings.ts describeSettings): the web applies exactly these. */
export interface ProfileSettingsRules {
  streaming: { available: boolean; default: boolean };
  temperature: SamplingRule & { default: number };
  topP: SamplingRule;
  maxTokens: { min: number; max: number; step: number; default: number };
  thinking: { available: boolean; alwaysOn: boolean; default: boolean };
  budgetTokens: { available: boolean; min: number; max: number; step: number; default: number };
  effort: { available: boolean; options: readonly Effort[]; default: Effort };
  interleaved: { available: boolean; default: boolean };
  systemPrompt: { default: string };
  /** The "Prompt caching" switch: offered for profiles whose config enables caching, on by default there. */
  promptCaching: { available: boolean; default: boolean };
}

/** GET /api/profiles, one chat profile. */
export interface ProfileDescription {
  name: string;
  modelId: string;
  region: string;
  default: boolean;
  capabilities: { vision: boolean; document: boolean; tool: boolean; streaming: boolean; reasoning: ReasoningStyle };
  price: { input1k: string; output1k: string } | null;
  settings: ProfileSettingsRules;
  /** The picker's group (config `provider`, else the model id's vendor part, e.g. "anthropic"). */
  provider: string;
  /** Context window in tokens when the config gives it. */
  contextWindow: number | null;
}

/** A suggestion on an empty chat (config `starter_prompts`). */
export interface StarterPrompt {
  title: string;
  prompt: string;
}

/** A thread's model settings as sent and stored (`null`: not set). */
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
  promptCaching?: boolean;
}

export type Usage = UsageCounts;

export interface MessageMeta {
  /** How long the model reasoned, from the first reasoning delta to the first answer token. */
  reasoningMs?: number;
  stopReason?: string | null;
  notices?: string[];
  /** Which system prompt the answer used: a prompt version, the user's override, or the config's text (issue 13). */
  systemPrompt?: SystemPromptUse;
  /** Each model call's tokens, cache reads and writes included, when the answer took several (tool rounds). */
  calls?: Usage[];
}

/** One message of a thread as the API returns it (the store's row). */
export interface ChatMessage {
  id: string;
  threadId: string;
  parentId: string | null;
  role: MessageRole;
  parts: Part[];
  status: "streaming" | "complete" | "stopped" | "error";
  profile: string | null;
  modelId: string | null;
  usage: Usage;
  cost: string | null;
  error: { code: string; message: string; retryable: boolean } | null;
  meta: MessageMeta;
  createdAt: string;
}

export interface ThreadSummary {
  id: string;
  title: string;
  profile: string;
  createdAt: string;
  updatedAt: string;
  // threads (issue 12)
  /** The last message or answer: what orders the list and groups it by day (a rename is not activity). */
  activeAt: string;
  /** Kept on top of the list. */
  pinned: boolean;
  /** When it was archived (listed under Archived only); null: in the list. */
  archivedAt: string | null;
  /** In search results: the newest matching message's text around the terms, with the terms' ranges. */
  snippet?: Snippet;
}

/** GET /api/threads: a page of the list; `nextCursor` (absent on the last page) asks for the next one. */
export interface ThreadPage {
  threads: ThreadSummary[];
  nextCursor?: string;
}

export interface Thread extends ThreadSummary {
  settings: ChatSettings;
  activeLeafId: string | null;
  extraCost: string;
}

/** A file of a thread (or a pending upload) as the API describes it: metadata and a download URL, never bytes. */
export interface AttachmentInfo {
  id: string;
  /** The name the user's file had. */
  fileName: string;
  kind: "image" | "document";
  format: string;
  /** Bytes (of the stored file: an image fitted to the model's limits is stored fitted). */
  size: number;
  width: number | null;
  height: number | null;
  /** What was done to fit the model's limits, e.g. "photo.jpg was resized to 4,000 × 2,667 to fit the model's limit". */
  notice: string | null;
  /** Whether a message has sent it (pending uploads expire after a day). */
  sent: boolean;
  /** GET it for the bytes (its owner only). */
  url: string;
}

/** GET /api/threads/:id: the thread, all its messages (every version), its files, the answer running, the cost. */
export interface ThreadDetail {
  thread: Thread;
  messages: ChatMessage[];
  attachments: AttachmentInfo[];
  running: { generationId: string; messageId: string } | null;
  cost: { total: string; complete: boolean };
}

/** What the web needs to check files before uploading them (the server checks again). */
export interface AttachmentRules {
  /** The largest file in bytes (MB = 1,000,000 bytes). */
  maxBytes: number;
  /** The setting that sets it, for error messages. */
  maxSetting: string;
  imageFormats: readonly string[];
  documentFormats: readonly string[];
}
