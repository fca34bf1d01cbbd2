import type { AppConfig, ModelProfile } from "../../config/resolve.js";
import { ChatError } from "../../engine/errors.js";
import type { Provider } from "../../engine/provider.js";
import { resolveSettings, type SettingsInput } from "../../engine/settings.js";
import { runTurn, type TurnEvent, type TurnResult } from "../../engine/turn.js";
import { ZERO_USAGE, type Message } from "../../engine/types.js";
import { promptCharacters, worstCaseCost } from "../../engine/cost.js";
import type { Db } from "../../store/db.js";
import {
  appendEvents,
  ConflictError,
  createGeneration,
  finishGeneration,
  getGeneration,
  heartbeat,
  requestStop,
  runningGenerations,
  stopRequestedAmong,
} from "../../store/generations.js";
import { newId } from "../../store/ids.js";
import { deleteMessage, insertMessage, listThreadMessages, updateMessage, type NewMessage, type StoredMessage } from "../../store/messages.js";
import { recordUsage } from "../../store/usage.js";
import { addThreadCost, getThread, setTitleIfPlaceholder, touchThread } from "../../store/threads.js";
import type { GenerationEvent, Relay, SeqEvent } from "./relay.js";
import { generateTitle, fallbackTitle } from "./title.js";
import { followGeneration } from "./follow.js";
import { pathTo, toEngineHistory } from "./tree.js";
import { TurnAccumulator } from "./turn-accumulator.js";

export const PLACEHOLDER_TITLE = "New chat";

export interface GenerationOptions {
  db: Db;
  provider: Provider;
  config: AppConfig;
  relay: Relay;
  log: { info: (o: object, m?: string) => void; warn: (o: object, m?: string) => void; error: (o: object, m?: string) => void };
  instanceId?: string;
  /** How often progress is saved and stop requests are read from the database. */
  flushMs?: number;
  /** off: titles are the first words of the first message. */
  titleGeneration?: "on" | "off";
  /** Profile that writes titles (default: the thread's). */
  titleProfile?: string;
  /** Time source for start times and usage records (rate limits and spending caps count by it). */
  clock?: () => Date;
  /**
   * Several instances share the database (PostgreSQL): at start only generations whose heartbeat stopped are
   * orphans, and a periodic sweep finds those of instances that died later. Otherwise every running one is.
   */
  multiInstance?: boolean;
}

/** How often running generations report liveness, and after how long without it they are orphans. */
const HEARTBEAT_MS = 5_000;
const ORPHAN_AFTER_MS = 30_000;

interface LiveGeneration {
  id: string;
  ownerId: string;
  threadId: string;
  messageId: string;
  events: SeqEvent[];
  flushed: number;
  controller: AbortController;
  finished: Promise<void>;
  /** Set when the answer is final: progress saves must not overwrite it. */
  ending: boolean;
  /** Parts so far, for saving progress. */
  accumulator: TurnAccumulator | undefined;
  /** Parts changed since the last save. */
  dirty: boolean;
}

export interface StartRequest {
  ownerId: string;
  threadId: string;
  /**
   * The user message being answered: already stored (regenerate), or new, and then stored in the same commit as
   * the answer's start, so a refused start (another answer running) leaves nothing behind.
   */
  question: StoredMessage | NewMessage;
  profile: ModelProfile;
  settings: SettingsInput;
  /** What the thread remembers for its next message (profile and settings), saved in the same commit. */
  threadPatch?: { profile: string; settings: Record<string, unknown> };
  /** The thread still had its placeholder title when the message was sent: a title is written after the answer. */
  needsTitle?: boolean;
  /** An answer this one replaces: a failed answer being retried is removed in the same commit (not kept as a version). */
  replaces?: StoredMessage;
  /**
   * Admission (per-user limits), run first in the commit that starts the answer, with the answer's worst-case
   * cost; it throws to refuse, and then nothing is stored.
   */
  admit?: (tx: Db, reservedCost: string | null) => Promise<void>;
}

/** A started generation's request, with its question as stored and the conversation before it. */
type Started = Omit<StartRequest, "question"> & { userMessage: StoredMessage; history: Message[] };

/**
 * Generations are owned by the server, not by an HTTP connection: they run to the end (or to a stop) whoever
 * is listening, every event gets a durable position, progress is saved on a short timer, and any listener can
 * join late with Last-Event-ID and get what it missed, then the live stream.
 */
export class GenerationManager {
  private readonly live = new Map<string, LiveGeneration>();
  private readonly instanceId: string;
  private readonly flushMs: number;
  private accepting = true;
  private readonly stopUnsubscribe: () => void;

  constructor(private readonly options: GenerationOptions) {
    this.instanceId = options.instanceId ?? newId();
    this.flushMs = options.flushMs ?? 250;
    this.stopUnsubscribe = options.relay.onStop((id) => this.live.get(id)?.controller.abort());
  }

  /**
   * Generations left running by a process that died are saved as stopped, with what they had streamed. Single
   * instance: every running one at start. Several instances: those whose heartbeat stopped, at start and then
   * every half minute.
   */
  async recoverOrphans(): Promise<number> {
    const { db } = this.options;
    const multi = this.options.multiInstance === true;
    if (multi && !this.sweepTimer) {
      this.sweepTimer = setInterval(() => void this.recoverOrphans().catch((error: unknown) => this.options.log.warn({ err: error }, "orphan sweep failed")), ORPHAN_AFTER_MS);
      this.sweepTimer.unref();
    }
    const orphans = (await runningGenerations(db, multi ? new Date(this.now().getTime() - ORPHAN_AFTER_MS) : undefined)).filter((o) => !this.live.has(o.id));
    for (const orphan of orphans) {
      const message = await db.selectFrom("messages").select(["parts"]).where("id", "=", orphan.messageId).executeTakeFirst();
      if (message) await updateMessage(db, orphan.ownerId, orphan.messageId, { parts: JSON.parse(message.parts), status: "stopped", firstIndex: true });
      await finishGeneration(db, orphan.id, "stopped");
    }
    return orphans.length;
  }

  private sweepTimer: NodeJS.Timeout | undefined;
  private heartbeatAt = 0;

  /** Stores the question (when new) and the assistant message, and starts answering. */
  async start(request: StartRequest): Promise<{ generationId: string; messageId: string; userMessage: StoredMessage }> {
    const { db } = this.options;
    if (!this.accepting) throw new ConflictError("The server is shutting down; try again in a moment.");
    const settings = resolveSettings(request.profile, request.settings);
    // Ids sort in creation order (a thread lists its messages by them): the question's comes before the answer's.
    const question: { stored: StoredMessage } | { insert: NewMessage } =
      "createdAt" in request.question ? { stored: request.question } : { insert: { ...request.question, id: request.question.id ?? newId() } };
    const messageId = newId();
    // The conversation the question continues, read once: for the worst-case cost now and the model call later.
    const history = toEngineHistory(pathTo(await listThreadMessages(db, request.ownerId, request.threadId), request.question.parentId));
    const questionParts = request.question.parts;
    const reservedCost = worstCaseCost(request.profile, { characters: promptCharacters([...history, { role: "user", parts: questionParts }], settings.system) }, settings);
    // One commit for the admission, the question (when new), the generation, its (empty) answer and the thread.
    // The database's unique index allows one running generation per thread: a second one fails here
    // (ConflictError) and rolls the whole commit back, as does a refused admission.
    const { generationId, userMessage } = await db.transaction().execute(async (tx) => {
      await request.admit?.(tx, reservedCost);
      const id = await createGeneration(tx, { ownerId: request.ownerId, threadId: request.threadId, messageId, instanceId: this.instanceId, now: this.now(), reservedCost });
      if (request.replaces?.role === "assistant" && request.replaces.status === "error") await deleteMessage(tx, request.ownerId, request.replaces.id);
      const userMessage = "stored" in question ? question.stored : await insertMessage(tx, question.insert);
      await insertMessage(tx, {
        id: messageId,
        ownerId: request.ownerId,
        threadId: request.threadId,
        parentId: userMessage.id,
        role: "assistant",
        parts: [],
        status: "streaming",
        profile: request.profile.name,
        modelId: request.profile.modelId,
      });
      await touchThread(tx, request.ownerId, request.threadId, { ...request.threadPatch, activeLeafId: messageId });
      return { generationId: id, userMessage };
    });
    const live: LiveGeneration = {
      id: generationId,
      ownerId: request.ownerId,
      threadId: request.threadId,
      messageId,
      events: [],
      flushed: 0,
      controller: new AbortController(),
      finished: Promise.resolve(),
      ending: false,
      accumulator: undefined,
      dirty: false,
    };
    this.live.set(generationId, live);
    this.ensureTimer();
    live.finished = this.run(live, { ...request, userMessage, history }, settings).catch((error: unknown) => {
      this.options.log.error({ err: error, generationId }, "generation failed unexpectedly");
    });
    return { generationId, messageId, userMessage };
  }

  private async run(live: LiveGeneration, request: Started, settings: ReturnType<typeof resolveSettings>): Promise<void> {
    const { db, provider, config } = this.options;
    const { profile } = request;
    const accumulator = new TurnAccumulator(profile.modelId);
    live.accumulator = accumulator;
    let reasoningStarted: number | undefined;
    let reasoningMs: number | undefined;
    const notices: string[] = [];

    this.emit(live, { type: "start", messageId: live.messageId, profile: profile.name, modelId: profile.modelId });
    let result: TurnResult | undefined;
    try {
      for await (const event of runTurn({
        provider,
        profile,
        history: request.history,
        input: { role: "user", parts: request.userMessage.parts },
        settings,
        limits: config,
        signal: live.controller.signal,
      })) {
        accumulator.apply(event);
        live.dirty = true;
        if (event.type === "reasoning" && reasoningStarted === undefined) reasoningStarted = Date.now();
        if ((event.type === "text" || event.type === "toolUse") && reasoningStarted !== undefined && reasoningMs === undefined) {
          reasoningMs = Date.now() - reasoningStarted;
          this.emit(live, { type: "reasoning_end", ms: reasoningMs });
        }
        if (event.type === "notice") notices.push(event.message);
        if (event.type === "done") result = event.result;
        const mapped = toClientEvent(event);
        if (mapped) this.emit(live, mapped);
      }
    } catch (error) {
      // The engine reports model failures as results; anything thrown here is ours (the database, a bug).
      this.options.log.error({ err: error, generationId: live.id }, "generation failed unexpectedly");
    } finally {
      live.ending = true;
      // A batch save may be writing this generation's progress right now: let it finish first.
      await this.saving;
    }
    if (!result) {
      const failure = new ChatError("internal", "The answer failed because of a server error. Retry; if it happens again, check the server log.", true);
      this.emit(live, { type: "error", code: failure.code, message: failure.message, retryable: failure.retryable });
      result = {
        messages: [{ role: "assistant", parts: accumulator.parts, status: "error", modelId: profile.modelId }],
        status: "error",
        stopReason: null,
        text: "",
        reasoning: null,
        usage: ZERO_USAGE,
        cost: null,
        error: failure,
      };
    }
    if (reasoningStarted !== undefined && reasoningMs === undefined) {
      reasoningMs = Date.now() - reasoningStarted;
      this.emit(live, { type: "reasoning_end", ms: reasoningMs });
    }
    const final = result;
    // `done` is saved with the answer and published only after the commit: whoever hears it finds the answer saved.
    const done: SeqEvent = { seq: live.events.length + 1, event: { type: "done", status: result.status, messageId: live.messageId } };
    const remaining = [...live.events.slice(live.flushed), done];
    // One commit for the answer, the generation's end, the thread and the last events. Whatever happens, the
    // generation leaves this instance and its listeners hear the end (a stuck "running" row would lock the thread).
    try {
      await db.transaction().execute(async (tx) => {
        await updateMessage(tx, live.ownerId, live.messageId, {
          parts: final.messages.flatMap((m) => m.parts),
          status: final.status,
          usage: final.usage,
          cost: final.cost?.total ?? null,
          error: final.error ? errorJson(final.error) : null,
          meta: { ...(reasoningMs !== undefined ? { reasoningMs } : {}), stopReason: final.stopReason, ...(notices.length ? { notices } : {}) },
          firstIndex: true,
        });
        await finishGeneration(tx, live.id, final.status, done.seq);
        await touchThread(tx, live.ownerId, live.threadId);
        if (final.usage.inputTokens + final.usage.outputTokens > 0) {
          await recordUsage(tx, {
            userId: live.ownerId,
            threadId: live.threadId,
            kind: "answer",
            profile: profile.name,
            modelId: final.messages.at(-1)?.modelId ?? profile.modelId,
            inputTokens: final.usage.inputTokens,
            outputTokens: final.usage.outputTokens,
            cost: final.cost?.total ?? null,
          }, this.now());
        }
        if (remaining.length) await appendEvents(tx, live.id, remaining[0]!.seq, remaining.map((e) => e.event));
      });
    } catch (error) {
      this.options.log.error({ err: error, generationId: live.id }, "saving the finished answer failed");
      await finishGeneration(db, live.id, "error").catch(() => undefined);
    } finally {
      live.events.push(done);
      live.flushed = live.events.length;
      this.options.relay.publish(live.id, [done]);
      this.live.delete(live.id);
      if (this.live.size === 0) this.stopTimer();
    }
    if (result.status === "complete") await this.maybeTitle(live, request, result.text);
  }

  private async maybeTitle(live: LiveGeneration, request: Started, answer: string): Promise<void> {
    const { db, config, provider, log } = this.options;
    if (!request.needsTitle) return;
    // The user may have renamed the thread while the answer streamed.
    const thread = await getThread(db, live.ownerId, live.threadId);
    if (!thread || thread.title !== PLACEHOLDER_TITLE) return;
    const question = request.userMessage.parts.flatMap((p) => (p.type === "text" ? [p.text] : [])).join(" ");
    let title = fallbackTitle(question);
    if (this.options.titleGeneration !== "off") {
      const profile = config.profiles.find((p) => p.name === this.options.titleProfile) ?? request.profile;
      try {
        const generated = await generateTitle(provider, profile, question, answer);
        title = generated.title;
        if (generated.cost) await addThreadCost(db, live.ownerId, live.threadId, generated.cost.total);
        if (generated.usage) {
          await recordUsage(db, {
            userId: live.ownerId,
            threadId: live.threadId,
            kind: "title",
            profile: profile.name,
            modelId: profile.modelId,
            inputTokens: generated.usage.inputTokens,
            outputTokens: generated.usage.outputTokens,
            cost: generated.cost?.total ?? null,
          }, this.now());
        }
      } catch (error) {
        log.warn({ err: error, threadId: live.threadId }, "title generation failed; using the first words");
      }
    }
    await setTitleIfPlaceholder(db, live.ownerId, live.threadId, PLACEHOLDER_TITLE, title);
  }

  private now(): Date {
    return this.options.clock?.() ?? new Date();
  }

  private emit(live: LiveGeneration, event: GenerationEvent): void {
    const seqEvent = { seq: live.events.length + 1, event };
    live.events.push(seqEvent);
    this.options.relay.publish(live.id, [seqEvent]);
  }

  private timer: NodeJS.Timeout | undefined;
  private saving: Promise<void> | undefined;
  private stopCheckedAt = 0;

  private ensureTimer(): void {
    this.timer ??= setInterval(() => {
      if (!this.saving) this.saving = this.saveProgress().finally(() => (this.saving = undefined));
    }, this.flushMs);
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * Saves every running generation's new events and partial answer in one transaction (one commit however many
   * answers are streaming), and reads stop requests recorded by other instances once a second, in one query.
   */
  private async saveProgress(): Promise<void> {
    const { db } = this.options;
    const pending = [...this.live.values()].filter((l) => !l.ending && (l.events.length > l.flushed || l.dirty));
    try {
      if (pending.length) {
        const batches = pending.map((live) => ({ live, from: live.flushed, events: live.events.slice(live.flushed), parts: live.accumulator?.parts }));
        await db.transaction().execute(async (tx) => {
          for (const { live, events, parts } of batches) {
            if (events.length) await appendEvents(tx, live.id, events[0]!.seq, events.map((e) => e.event));
            if (parts) await updateMessage(tx, live.ownerId, live.messageId, { parts, status: "streaming" });
          }
        });
        // Only once committed: a failed batch is retried whole by the next save.
        for (const { live, from, events } of batches) {
          if (live.flushed === from) live.flushed = from + events.length;
          live.dirty = false;
        }
      }
      const now = Date.now();
      if (now - this.stopCheckedAt >= 1000 && this.live.size) {
        this.stopCheckedAt = now;
        for (const id of await stopRequestedAmong(db, [...this.live.keys()])) this.live.get(id)?.controller.abort();
      }
      if (this.options.multiInstance && now - this.heartbeatAt >= HEARTBEAT_MS && this.live.size) {
        this.heartbeatAt = now;
        await heartbeat(db, [...this.live.keys()], this.now());
      }
    } catch (error) {
      this.options.log.warn({ err: error }, "saving generation progress failed");
    }
  }

  /** Records the stop in the database and tells whichever instance runs the generation. */
  async stop(ownerId: string, generationId: string): Promise<"stopping" | "finished" | "not_found"> {
    const generation = await getGeneration(this.options.db, ownerId, generationId);
    if (!generation) return "not_found";
    if (generation.status !== "running") return "finished";
    await requestStop(this.options.db, ownerId, generationId);
    const live = this.live.get(generationId);
    if (live) live.controller.abort();
    else this.options.relay.publishStop(generationId);
    return "stopping";
  }

  /**
   * Delivers the generation's events after `afterSeq`, then live ones, to `send`, until `done`.
   * Returns undefined when the generation does not exist for this owner.
   */
  async subscribe(ownerId: string, generationId: string, afterSeq: number, send: (e: SeqEvent) => void, onEnd: () => void): Promise<(() => void) | undefined> {
    // A generation running here is known without asking the database (the common case: the page that started it).
    const live = this.live.get(generationId);
    if (live) {
      if (live.ownerId !== ownerId) return undefined;
      return followGeneration(this.deps(), { id: live.id, status: "running", lastSeq: live.events.length, messageId: live.messageId }, afterSeq, live.events, send, onEnd);
    }
    const stored = await getGeneration(this.options.db, ownerId, generationId);
    return stored && followGeneration(this.deps(), stored, afterSeq, undefined, send, onEnd);
  }

  private deps() {
    return { db: this.options.db, relay: this.options.relay };
  }

  runningCount(): number {
    return this.live.size;
  }

  /** SIGTERM: accept no more, let running generations finish for up to graceMs, then save them as stopped. */
  async shutdown(graceMs = 10_000): Promise<void> {
    this.accepting = false;
    const all = () => Promise.all([...this.live.values()].map((l) => l.finished));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all(), new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    if (timer) clearTimeout(timer);
    for (const live of this.live.values()) live.controller.abort();
    await all();
    this.stopTimer();
    await this.saving;
    this.stopUnsubscribe();
    clearInterval(this.sweepTimer);
  }
}

function errorJson(error: ChatError) {
  return { code: error.code, message: error.message, retryable: error.retryable };
}

function toClientEvent(event: TurnEvent): GenerationEvent | undefined {
  switch (event.type) {
    case "text":
      return { type: "text", delta: event.delta };
    case "reasoning":
      return { type: "reasoning", delta: event.delta };
    case "redactedReasoning":
      return { type: "reasoning_end", ms: 0, redacted: true };
    case "toolUse":
      return { type: "tool_use", id: event.id, name: event.name, input: event.input };
    case "toolResult":
      return {
        type: "tool_result",
        toolUseId: event.result.toolUseId,
        status: event.result.status,
        text: event.result.content.map((c) => (c.type === "text" ? c.text : c.type === "json" ? JSON.stringify(c.json) : `[${c.format} image]`)).join("\n"),
      };
    case "usage":
      return { type: "usage", usage: event.usage, cost: event.cost?.total ?? null };
    case "notice":
      return { type: "notice", message: event.message };
    case "error":
      return { type: "error", code: event.error.code, message: event.error.message, retryable: event.error.retryable };
    case "request":
    case "reasoningSignature":
    case "stop":
    case "done":
      return undefined;
  }
}

