import { createHash } from "node:crypto";
import type { AppConfig, ModelProfile } from "../config/resolve.js";
import { renderSystemPrompt } from "../engine/system-prompt.js";
import type { SystemPromptState, SystemPromptUse } from "../shared/prompts.js";
import type { Db } from "../store/db.js";
import { forgetThreadPrompt, getThreadPrompt, keepThreadPrompt, type ThreadPrompt } from "../store/prompt-pins.js";
import { keyOf, promptKeys, type PromptKey } from "./names.js";
import { seedPrompt, type SeedIds } from "./seed.js";
import type { PromptStore } from "./types.js";

/** What answers of one prompt key get right now. */
export interface Serving {
  /** The pinned version; null when the store could not be reached and nothing is cached (then `text` is config.json's). */
  pin: { promptId: string; version: number } | null;
  /** The template text (variables not substituted). */
  text: string;
  serving: "pinned" | "cached" | "config";
  /** Why the store could not be asked (logged too). */
  problem: string | null;
  checkedAt: number;
}

export interface PromptServiceOptions {
  db: Db;
  store: PromptStore;
  config: Pick<AppConfig, "prefix" | "defaultSystemPrompt" | "profiles">;
  /** PROMPT_IDS: the first pins of prompts the deployment made. */
  seedIds?: SeedIds;
  /** How long a pin is trusted before the database is asked again (PROMPT_CACHE_SECONDS). */
  ttlMs?: number;
  clock?: () => Date;
  log: { warn: (o: object, m?: string) => void; error: (o: object, m?: string) => void };
}

/**
 * The system prompts at runtime. The pinned version of each prompt key is kept in memory: its text is fetched from
 * the store once per version (versions never change), its pin re-read from the database after `ttlMs` and right
 * after a change made here. A thread takes its profile's prompt at its first turn, with the variables substituted
 * then, and keeps that text for all its turns (its prefix never changes, as prompt caching needs). When the store
 * cannot be reached, the last cached version is used; with none, the config's text (and the admin page says so).
 */
export class PromptService {
  readonly keys: PromptKey[];
  readonly store: PromptStore;
  private readonly serving = new Map<string, Serving>();
  private readonly texts = new Map<string, string>();
  private readonly inflight = new Map<string, Promise<Serving>>();
  private readonly clock: () => Date;
  private readonly ttlMs: number;

  constructor(private readonly options: PromptServiceOptions) {
    this.keys = promptKeys(options.config);
    this.store = options.store;
    this.clock = options.clock ?? (() => new Date());
    this.ttlMs = options.ttlMs ?? 30_000;
  }

  get db(): Db {
    return this.options.db;
  }

  /** Seeds every prompt (see seed.ts) and warms the cache. A store that cannot be reached is logged, not fatal. */
  async start(): Promise<void> {
    for (const key of this.keys) await this.current(key, true);
  }

  key(name: string): PromptKey | undefined {
    return this.keys.find((k) => k.name === name);
  }

  keyFor(profile: Pick<ModelProfile, "name">): PromptKey {
    return keyOf(this.keys, profile);
  }

  /** What answers of this key get now: from memory while fresh, else the pin is read again (one database query). */
  async current(key: PromptKey, force = false): Promise<Serving> {
    const cached = this.serving.get(key.key);
    if (!force && cached && Date.now() - cached.checkedAt < this.ttlMs) return cached;
    let pending = this.inflight.get(key.key);
    if (!pending) {
      pending = this.refresh(key).finally(() => this.inflight.delete(key.key));
      this.inflight.set(key.key, pending);
    }
    return pending;
  }

  /** Cached state only (the admin page's list, without asking the store). */
  peek(key: PromptKey): Serving | undefined {
    return this.serving.get(key.key);
  }

  /** A change made here (publish, roll back): served at once on this instance; others see it within `ttlMs`. */
  pinned(key: PromptKey, pin: { promptId: string; version: number }, text: string): void {
    this.texts.set(`${pin.promptId}:${pin.version}`, text);
    this.serving.set(key.key, { pin, text, serving: "pinned", problem: null, checkedAt: Date.now() });
  }

  /** A version's text: asked of the store once, then kept (versions are immutable). */
  async versionText(promptId: string, version: number): Promise<string> {
    const id = `${promptId}:${version}`;
    const known = this.texts.get(id);
    if (known !== undefined) return known;
    const text = (await this.store.get(promptId, version)).text;
    this.texts.set(id, text);
    return text;
  }

  private async refresh(key: PromptKey): Promise<Serving> {
    let next: Serving;
    try {
      const pin = await seedPrompt(this.options.db, this.store, key, this.options.seedIds ?? {}, this.clock());
      next = { pin: { promptId: pin.promptId, version: pin.version }, text: await this.versionText(pin.promptId, pin.version), serving: "pinned", problem: null, checkedAt: Date.now() };
    } catch (error) {
      const problem = (error as Error).message;
      const previous = this.serving.get(key.key);
      next = previous?.pin ? { ...previous, serving: "cached", problem, checkedAt: Date.now() } : { pin: null, text: key.configText, serving: "config", problem, checkedAt: Date.now() };
      this.options.log.error({ err: error, prompt: key.name, serving: next.serving }, next.serving === "cached" ? "the prompt store cannot be reached: using the last cached version" : "the prompt store cannot be reached: using the config's text");
    }
    this.serving.set(key.key, next);
    return next;
  }

  /**
   * The system prompt of a turn: the text the thread took at its first turn with this profile's prompt (taken now
   * when it has none, or when the thread changed to a profile with another prompt), or the user's override, which is
   * kept the same way (its variables filled at the first turn with that override).
   */
  async forTurn(ownerId: string, threadId: string, profile: Pick<ModelProfile, "name">, override: string | undefined): Promise<{ system: string; use: SystemPromptUse }> {
    const kept = await getThreadPrompt(this.options.db, ownerId, threadId);
    if (override !== undefined) {
      // Frozen like a prompt version: the same override keeps the text it got at its first turn.
      const overrideKey = `override:${createHash("sha256").update(override).digest("hex").slice(0, 32)}`;
      if (kept?.key === overrideKey) return { system: kept.text, use: { source: "override" } };
      const now = this.clock();
      const taken = await keepThreadPrompt(this.options.db, ownerId, threadId, { key: overrideKey, promptId: "override", version: 0, text: renderSystemPrompt(override, now) }, now, true);
      return { system: taken.text, use: { source: "override" } };
    }
    const key = this.keyFor(profile);
    if (kept && kept.key === key.key) return { system: kept.text, use: useOf(key, kept) };
    const current = await this.current(key);
    if (!current.pin) {
      // The store cannot be reached and nothing is cached: the config's text, kept with the thread like a version
      // (its variables filled once, so the prefix stays the same and cacheable), under a key of its own so that the
      // thread takes the store's version once the store answers again.
      const fallbackKey = configFallbackKey(key);
      if (kept?.key === fallbackKey) return { system: kept.text, use: { source: "config" } };
      const now = this.clock();
      const taken = await keepThreadPrompt(this.options.db, ownerId, threadId, { key: fallbackKey, promptId: "config", version: 0, text: renderSystemPrompt(current.text, now) }, now, kept !== undefined);
      return { system: taken.text, use: taken.key === key.key ? useOf(key, taken) : { source: "config" } };
    }
    const now = this.clock();
    const taken = await keepThreadPrompt(this.options.db, ownerId, threadId, { key: key.key, ...current.pin, text: renderSystemPrompt(current.text, now) }, now, kept !== undefined);
    return { system: taken.text, use: useOf(key, taken) };
  }

  /** For the Settings panel: the text a thread uses (or a new chat with this profile would get now). */
  async state(ownerId: string, threadId: string | null, profile: Pick<ModelProfile, "name">, override: string | undefined): Promise<SystemPromptState> {
    const key = this.keyFor(profile);
    const current = await this.current(key);
    const latestVersion = current.pin?.version ?? null;
    if (override !== undefined) return { source: "override", text: override, version: null, latestVersion, frozen: false };
    const kept = threadId ? await getThreadPrompt(this.options.db, ownerId, threadId) : undefined;
    if (kept && kept.key === key.key) return { source: "prompt", text: kept.text, version: kept.version, latestVersion, frozen: true };
    if (!current.pin && kept?.key === configFallbackKey(key)) return { source: "config", text: kept.text, version: null, latestVersion, frozen: true };
    const text = renderSystemPrompt(current.text, this.clock());
    return current.pin ? { source: "prompt", text, version: current.pin.version, latestVersion, frozen: false } : { source: "config", text, version: null, latestVersion, frozen: false };
  }

  /** "Use the latest prompt": the thread takes the version in use now, resolved now. */
  async useLatest(ownerId: string, threadId: string, profile: Pick<ModelProfile, "name">): Promise<SystemPromptState> {
    const key = this.keyFor(profile);
    const current = await this.current(key);
    if (current.pin) {
      const now = this.clock();
      await keepThreadPrompt(this.options.db, ownerId, threadId, { key: key.key, ...current.pin, text: renderSystemPrompt(current.text, now) }, now, true);
    } else {
      await forgetThreadPrompt(this.options.db, ownerId, threadId);
    }
    return this.state(ownerId, threadId, profile, undefined);
  }

  close(): void {
    this.store.close?.();
  }
}

/** The key a thread keeps the config's text under while the store cannot be reached (never a store's key). */
function configFallbackKey(key: PromptKey): string {
  return `config:${key.key}`;
}

function useOf(key: PromptKey, kept: ThreadPrompt): SystemPromptUse {
  return { source: "prompt", key: key.key, name: key.name, promptId: kept.promptId, version: kept.version };
}
