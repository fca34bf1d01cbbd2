/**
 * System prompts kept and versioned (issue 13): the shapes the server sends and the web reads. Types and constants
 * only, so the web imports them without pulling server code in.
 */

/** Bedrock's limit on a prompt's text (and ours, locally). */
export const PROMPT_TEXT_LIMIT = 200_000;
/** Bedrock's limit on a version's description (the "Note" of Publish version). */
export const PROMPT_NOTE_LIMIT = 200;

/** Which system prompt an answer used (kept in the message's meta). */
export type { SystemPromptUse } from "../engine/system-prompt.js";

/** Per version: what the answers that used it consumed. */
export interface PromptVersionStats {
  answers: number;
  inputTokens: number;
  outputTokens: number;
  /** Exact decimal text; "0" when none was priced. */
  cost: string;
}

export interface PromptVersionInfo {
  version: number;
  note: string | null;
  createdAt: string;
  stats: PromptVersionStats;
}

/** One entry of the admin Prompts page's navigation. */
export interface PromptSummaryInfo {
  /** The prompt's name (in the store, and in the page's address). */
  name: string;
  key: string;
  /** The profile it serves ("Default" for default_system_prompt). */
  label: string;
  /** The profiles that use it. */
  profiles: string[];
  /** The pinned version, null when the store could not be reached yet. */
  inUse: number | null;
  /** The store could not be reached: answers use the last cached version, or the config's text when none is cached. */
  problem: string | null;
  /** What answers get right now. */
  serving: "pinned" | "cached" | "config";
}

export interface PromptDetail extends PromptSummaryInfo {
  store: "local" | "bedrock";
  promptId: string | null;
  draft: { text: string; updatedAt: string } | null;
  versions: PromptVersionInfo[];
}

export interface PromptVersionText {
  version: number;
  text: string;
  note: string | null;
  createdAt: string;
}

/** The system prompt of a thread (or of a new chat with a profile), for the Settings panel. */
export interface SystemPromptState {
  /** "prompt": the profile's prompt (frozen for the thread once it has answered); "override": the user's own text. */
  source: "prompt" | "override" | "config";
  /** The text sent (variables substituted), or that a new thread would get now. */
  text: string;
  /** The version this thread uses (null for an override or the config's text). */
  version: number | null;
  /** The version in use for new threads. */
  latestVersion: number | null;
  /** Whether the thread has taken its prompt (its first answer ran). */
  frozen: boolean;
}
