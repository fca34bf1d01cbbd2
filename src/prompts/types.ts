/**
 * The prompt store: where system prompts are kept and versioned. Two implementations with one contract (the same
 * tests run on both): Amazon Bedrock Prompt Management (bedrock/) and our database (local/). A prompt has one
 * mutable draft and immutable numbered versions; stores never delete. Which version is in use (the pin) is ours,
 * in the database, for both (pins.ts).
 */

export type PromptStoreKind = "local" | "bedrock";

/** The draft ("DRAFT") or one version of a prompt. */
export interface PromptSnapshot {
  id: string;
  name: string;
  version: number | "DRAFT";
  /** The template text (variables not substituted); "" for a prompt without text. */
  text: string;
  /** The prompt's description for the draft; the version's note for a version. */
  description: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface VersionSummary {
  version: number;
  description: string | null;
  createdAt: string;
}

export interface PromptStore {
  readonly kind: PromptStoreKind;
  /**
   * Creates a prompt (its draft) with this text. Idempotent: the same `clientToken` returns the prompt it made; a
   * prompt of that name made another way is a `conflict`.
   */
  create(input: { name: string; text: string; description?: string; clientToken: string }): Promise<PromptSnapshot>;
  /** The prompt with this exact name (pages through the list). */
  findByName(name: string): Promise<{ id: string; name: string } | undefined>;
  /** The draft (no version) or a version. */
  get(id: string, version?: number): Promise<PromptSnapshot>;
  /** Replaces the draft's text. */
  updateDraft(id: string, input: { name: string; text: string; description?: string }): Promise<PromptSnapshot>;
  /** Snapshots the draft as the next version. Idempotent per `clientToken`. */
  createVersion(id: string, input: { description?: string; clientToken?: string }): Promise<PromptSnapshot>;
  /** Every version, oldest first (pages through the list). */
  listVersions(id: string): Promise<VersionSummary[]>;
  close?(): void;
}

export type PromptStoreErrorKind = "not_found" | "conflict" | "throttled" | "access_denied" | "quota" | "validation" | "unavailable";

/** A store's refusal or failure, in plain words; `detail` is the store's own message. */
export class PromptStoreError extends Error {
  override readonly name = "PromptStoreError";
  constructor(
    readonly kind: PromptStoreErrorKind,
    message: string,
    readonly detail?: string,
  ) {
    super(message);
  }
}
