import { randomUUID } from "node:crypto";
import type { PromptDetail, PromptSummaryInfo, PromptVersionText } from "../shared/prompts.js";
import { recordAudit } from "../store/audit.js";
import { promptVersionStats, setPin } from "../store/prompt-pins.js";
import type { PromptKey } from "./names.js";
import type { PromptService } from "./service.js";
import { PromptStoreError } from "./types.js";

const NO_STATS = { answers: 0, inputTokens: 0, outputTokens: 0, cost: "0" };

/**
 * What the admin Prompts page does: read drafts and versions, save the draft, publish a version (and pin it), roll
 * back (pin an earlier one). Every change is in the audit log; a change is served at once on this instance.
 */
export class PromptAdmin {
  constructor(
    private readonly prompts: PromptService,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async list(): Promise<PromptSummaryInfo[]> {
    return Promise.all(this.prompts.keys.map(async (key) => this.summary(key)));
  }

  async detail(name: string): Promise<PromptDetail> {
    const key = this.key(name);
    const summary = await this.summary(key);
    const promptId = this.prompts.peek(key)?.pin?.promptId ?? null;
    if (!promptId) return { ...summary, store: this.prompts.store.kind, promptId: null, draft: null, versions: [] };
    const [draft, versions, stats] = await Promise.all([this.prompts.store.get(promptId), this.prompts.store.listVersions(promptId), promptVersionStats(this.prompts.db, promptId)]);
    return {
      ...summary,
      store: this.prompts.store.kind,
      promptId,
      draft: { text: draft.text, updatedAt: draft.updatedAt },
      versions: versions.map((v) => ({ version: v.version, note: v.description, createdAt: v.createdAt, stats: stats.get(v.version) ?? NO_STATS })),
    };
  }

  async version(name: string, version: number): Promise<PromptVersionText> {
    const promptId = await this.promptId(this.key(name));
    const snapshot = await this.prompts.store.get(promptId, version);
    return { version, text: snapshot.text, note: snapshot.description, createdAt: snapshot.createdAt };
  }

  async saveDraft(name: string, text: string, actorId: string): Promise<PromptDetail> {
    const key = this.key(name);
    const promptId = await this.promptId(key);
    await this.prompts.store.updateDraft(promptId, { name: key.name, text });
    await recordAudit(this.prompts.db, { actorId, action: "prompt.draft_saved", detail: { prompt: key.name, profile: key.label, characters: text.length } }, this.clock());
    return this.detail(name);
  }

  /** Saves `text` as the draft first when given (what is typed is what is published), then makes and pins a version. */
  async publish(name: string, input: { note?: string; text?: string }, actorId: string): Promise<{ prompt: PromptDetail; version: number }> {
    const key = this.key(name);
    const promptId = await this.promptId(key);
    if (input.text !== undefined) await this.prompts.store.updateDraft(promptId, { name: key.name, text: input.text });
    const created = await this.prompts.store.createVersion(promptId, { ...(input.note ? { description: input.note } : {}), clientToken: randomUUID() });
    const version = created.version as number;
    await setPin(this.prompts.db, this.prompts.store.kind, key.key, { promptId, version }, actorId, this.clock());
    this.prompts.pinned(key, { promptId, version }, created.text);
    await recordAudit(this.prompts.db, { actorId, action: "prompt.published", detail: { prompt: key.name, profile: key.label, version, ...(input.note ? { note: input.note } : {}) } }, this.clock());
    return { prompt: await this.detail(name), version };
  }

  /** Pins an earlier (or any existing) version; newer versions stay. */
  async rollBack(name: string, version: number, actorId: string): Promise<PromptDetail> {
    const key = this.key(name);
    const promptId = await this.promptId(key);
    const from = this.prompts.peek(key)?.pin?.version ?? null;
    const text = await this.prompts.versionText(promptId, version);
    await setPin(this.prompts.db, this.prompts.store.kind, key.key, { promptId, version }, actorId, this.clock());
    this.prompts.pinned(key, { promptId, version }, text);
    await recordAudit(this.prompts.db, { actorId, action: "prompt.rolled_back", detail: { prompt: key.name, profile: key.label, version, from } }, this.clock());
    return this.detail(name);
  }

  private key(name: string): PromptKey {
    const key = this.prompts.key(name);
    if (!key) throw new PromptStoreError("not_found", `There is no prompt named ${name}.`);
    return key;
  }

  /** The prompt's id in the store: from the pin (seeding it now if the store could not be reached before). */
  private async promptId(key: PromptKey): Promise<string> {
    const serving = this.prompts.peek(key)?.pin ? this.prompts.peek(key)! : await this.prompts.current(key, true);
    if (!serving.pin) throw new PromptStoreError("unavailable", serving.problem ?? "The prompt store cannot be reached.");
    return serving.pin.promptId;
  }

  private async summary(key: PromptKey): Promise<PromptSummaryInfo> {
    const serving = await this.prompts.current(key);
    return { name: key.name, key: key.key, label: key.label, profiles: key.profiles, inUse: serving.pin?.version ?? null, problem: serving.problem, serving: serving.serving };
  }
}
