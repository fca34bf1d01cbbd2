import type { AppConfig, ModelProfile } from "../../config/resolve.js";
import { SettingsError } from "../../engine/errors.js";
import { checkSettings, withDefaults, type CheckedSettings, type SettingsInput, type TurnSettings } from "../../engine/settings.js";
import { fileCounts, profilesTaking, profileTakes, REQUEST_FILE_LIMITS } from "../../engine/attachment-rules.js";
import { checkUserMessage } from "../../engine/turn.js";
import type { DocumentFormat, ImageFormat, Part } from "../../engine/types.js";
import { getAttachments } from "../../store/attachments.js";
import type { Db } from "../../store/db.js";
import { getMessage, listThreadMessages, type StoredMessage } from "../../store/messages.js";
import { getThread, type Thread } from "../../store/threads.js";
import { HttpError, notFound } from "../http-errors.js";
import type { ChatSettings } from "../schemas.js";
import { PLACEHOLDER_TITLE, type GenerationManager, type StartRequest } from "./generations.js";
import type { UsageLimits } from "./limits.js";
import type { PromptService } from "../../prompts/service.js";

/** HTTP settings -> engine input: `null` (the web's "not set") becomes absent. */
export function engineInput(settings: ChatSettings): SettingsInput {
  const { topP, system, ...rest } = settings;
  return { ...rest, ...(topP !== undefined && topP !== null ? { topP } : {}), ...(system !== undefined && system !== null ? { system } : {}) };
}

/** Engine input -> what a thread stores (the same shape the HTTP API takes). */
export function storedForm(settings: SettingsInput): Record<string, unknown> {
  const { stopSequences: _never, ...rest } = settings;
  return rest;
}

/**
 * The one check of settings at the edge (engine/settings.ts, checkSettings): a request's own settings must be in
 * range (400 that names the setting and the range; controls the profile lacks are dropped), stored ones are
 * adapted with a notice. Every route that stores or uses settings comes through here; nothing downstream re-checks.
 */
export function checkedSettings(profile: ModelProfile, settings: ChatSettings, origin: "request" | "stored"): CheckedSettings {
  try {
    return checkSettings(profile, engineInput(settings), origin);
  } catch (error) {
    if (error instanceof SettingsError) throw new HttpError(400, "invalid_settings", error.message);
    throw error;
  }
}

export interface PostMessage {
  ownerId: string;
  threadId: string;
  text: string;
  /** undefined: continue the active branch; null: a new first message (editing the first one); else the message it follows. */
  parentId?: string | null;
  profile?: string;
  settings?: ChatSettings;
  /** Uploaded files sent with the message (ids from POST /api/attachments), in order. */
  attachments?: string[];
}

export class ChatService {
  constructor(
    private readonly db: Db,
    private readonly config: AppConfig,
    private readonly generations: GenerationManager,
    private readonly limits?: UsageLimits,
    /** System prompts (issue 13): the thread's kept prompt version, or the user's override. */
    private readonly prompts?: PromptService,
  ) {}

  profile(name: string): ModelProfile {
    const profile = this.config.profiles.find((p) => p.name === name);
    if (!profile) throw new HttpError(400, "unknown_profile", `Unknown chat profile "${name}". Choose one of: ${this.config.profiles.map((p) => p.name).join(", ")}.`);
    return profile;
  }

  async thread(ownerId: string, id: string): Promise<Thread> {
    const thread = await getThread(this.db, ownerId, id);
    if (!thread) throw notFound("Thread");
    return thread;
  }

  /** Validates everything first, so a refused message stores nothing (the browser keeps the draft). */
  async post(request: PostMessage): Promise<{ generationId: string; userMessage: StoredMessage; assistantMessageId: string }> {
    const thread = await this.thread(request.ownerId, request.threadId);
    const profile = this.profile(request.profile ?? thread.profile);
    const checked = request.settings ? checkedSettings(profile, request.settings, "request") : checkedSettings(profile, thread.settings as ChatSettings, "stored");
    const text = request.text;
    const files = await this.fileParts(request.ownerId, thread.id, profile, request.attachments ?? []);
    if (text.trim() === "" && files.length === 0) throw new HttpError(400, "empty_message", "The message is empty: type something to send.");
    const parts: Part[] = [...(text.trim() === "" ? [] : [{ type: "text" as const, text }]), ...files];
    try {
      checkUserMessage({ role: "user", parts: [{ type: "text", text }] }, this.config);
    } catch (error) {
      throw new HttpError(400, "input_too_long", (error as Error).message);
    }
    let parentId: string | null;
    if (request.parentId === undefined) parentId = thread.activeLeafId;
    else if (request.parentId === null) parentId = null;
    else {
      const parent = await getMessage(this.db, request.ownerId, request.parentId);
      if (!parent || parent.threadId !== thread.id) throw notFound("Parent message");
      parentId = parent.id;
    }
    // The question, the answer's start and the thread's profile and settings are one commit; when the thread
    // already has an answer running, the start is refused (409) and nothing is stored.
    const settings = await this.withSystemPrompt(request.ownerId, thread.id, profile, checked);
    const started = await this.generations.start({
      ownerId: request.ownerId,
      threadId: thread.id,
      question: { ownerId: request.ownerId, threadId: thread.id, parentId, role: "user", parts, status: "complete" },
      threadPatch: { profile: profile.name, settings: storedForm(checked.settings) },
      needsTitle: thread.title === PLACEHOLDER_TITLE,
      profile,
      settings,
      notices: checked.notices,
      ...this.admission(request.ownerId),
    });
    return { generationId: started.generationId, userMessage: started.userMessage, assistantMessageId: started.messageId };
  }

  /** A new answer to the same question (a sibling version); a failed answer is replaced instead. */
  async regenerate(ownerId: string, messageId: string, options: { profile?: string; settings?: ChatSettings }) {
    const message = await getMessage(this.db, ownerId, messageId);
    if (!message || message.role !== "assistant" || !message.parentId) throw notFound("Answer");
    const thread = await this.thread(ownerId, message.threadId);
    const question = await getMessage(this.db, ownerId, message.parentId);
    if (!question) throw notFound("Question");
    const profile = this.profile(options.profile ?? thread.profile);
    const checked = options.settings ? checkedSettings(profile, options.settings, "request") : checkedSettings(profile, thread.settings as ChatSettings, "stored");
    // One commit, as for a new message: when another answer is running, nothing changes (409).
    const settings = await this.withSystemPrompt(ownerId, thread.id, profile, checked);
    const started = await this.generations.start({
      ownerId,
      threadId: thread.id,
      question,
      replaces: message,
      threadPatch: { profile: profile.name, settings: storedForm(checked.settings) },
      needsTitle: thread.title === PLACEHOLDER_TITLE,
      profile,
      settings,
      notices: checked.notices,
      ...this.admission(ownerId),
    });
    return { generationId: started.generationId, assistantMessageId: started.messageId };
  }

  /**
   * The parts of the files sent with a message: the user's own uploads, pending or already in this thread (an
   * edit keeps its files), that the profile can take; refused before anything is stored, naming the file.
   */
  private async fileParts(ownerId: string, threadId: string, profile: ModelProfile, ids: readonly string[]): Promise<Part[]> {
    if (ids.length === 0) return [];
    const rows = await getAttachments(this.db, ownerId, ids);
    const byId = new Map(rows.map((r) => [r.id, r]));
    const parts: Part[] = [];
    for (const id of new Set(ids)) {
      const row = byId.get(id);
      if (!row || (row.thread_id !== null && row.thread_id !== threadId)) throw notFound("Attachment");
      const image = row.kind === "image";
      if (!profileTakes(profile, row.kind)) {
        const others = profilesTaking(this.config.profiles, row.kind);
        throw new HttpError(
          400,
          "not_accepted",
          `${row.file_name} is ${image ? "an image" : "a document"}, and profile "${profile.name}" does not take ${image ? "images" : "documents"}. ${others.length ? `Profiles that do: ${others.join(", ")}.` : "No profile of this app does."} Your message is kept.`,
        );
      }
      const source = { type: "attachment" as const, id: row.id };
      parts.push(image ? { type: "image", format: row.format as ImageFormat, source, fileName: row.file_name } : { type: "document", format: row.format as DocumentFormat, name: row.model_name, source, fileName: row.file_name });
    }
    const { images, documents, overLimit } = fileCounts(parts);
    if (overLimit) {
      throw new HttpError(400, "too_many_files", `One message can carry at most ${REQUEST_FILE_LIMITS.images} images and ${REQUEST_FILE_LIMITS.documents} documents (this one has ${images} and ${documents}). Send them in several messages.`);
    }
    return parts;
  }

  /**
   * The turn's settings with its system prompt (issue 13): the user's override from Settings, else the text the
   * thread took from its profile's prompt at its first turn (see prompts/service.ts); where it came from is
   * recorded with the answer.
   */
  private async withSystemPrompt(ownerId: string, threadId: string, profile: ModelProfile, checked: CheckedSettings): Promise<TurnSettings> {
    const settings = withDefaults(profile, checked);
    if (!this.prompts) return settings;
    const { system, use } = await this.prompts.forTurn(ownerId, threadId, profile, checked.settings.system);
    return { ...settings, system, systemSource: use };
  }

  /** The per-user limits, checked in the commit that starts the answer. */
  private admission(ownerId: string): Pick<StartRequest, "admit"> {
    const limits = this.limits;
    return limits ? { admit: (tx, reservedCost) => limits.admit(tx, ownerId, reservedCost) } : {};
  }

  async messages(ownerId: string, threadId: string): Promise<StoredMessage[]> {
    await this.thread(ownerId, threadId);
    return listThreadMessages(this.db, ownerId, threadId);
  }
}
