import type { AppConfig, ModelProfile } from "../../config/resolve.js";
import type { ChatError } from "../../engine/errors.js";
import type { Provider } from "../../engine/provider.js";
import { resolveSettings, type SettingsInput } from "../../engine/settings.js";
import { runTurn, type TurnEvent, type TurnResult } from "../../engine/turn.js";
import type { Db } from "../../store/db.js";
import {
  appendEvents,
  ConflictError,
  createGeneration,
  finishGeneration,
  getGeneration,
  isStopRequested,
  readEvents,
  requestStop,
  runningGeneration,
} from "../../store/generations.js";
import { newId } from "../../store/ids.js";
import { deleteMessage, insertMessage, listThreadMessages, updateMessage, type StoredMessage } from "../../store/messages.js";
import { addThreadCost, getThread, touchThread } from "../../store/threads.js";
import type { GenerationEvent, Relay, SeqEvent } from "./relay.js";
import { generateTitle, fallbackTitle } from "./title.js";
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
}

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
  /** The progress save under way, awaited before the final save. */
  saving: Promise<void> | undefined;
  stopCheckedAt: number;
}

export interface StartRequest {
  ownerId: string;
  threadId: string;
  /** The user message being answered. */
  userMessage: StoredMessage;
  profile: ModelProfile;
  settings: SettingsInput;
}

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

  /** Generations left running by a process that died are saved as stopped (single-instance storage). */
  async recoverOrphans(): Promise<number> {
    const { db } = this.options;
    const orphans = await db.selectFrom("generations").select(["id", "owner_id", "message_id"]).where("status", "=", "running").execute();
    for (const orphan of orphans) {
      const message = await db.selectFrom("messages").select(["parts"]).where("id", "=", orphan.message_id).executeTakeFirst();
      if (message) await updateMessage(db, orphan.owner_id, orphan.message_id, { parts: JSON.parse(message.parts), status: "stopped" });
      await finishGeneration(db, orphan.id, "stopped");
    }
    return orphans.length;
  }

  /** Checks the request can start (throws ConflictError when a generation runs in the thread). */
  async assertIdle(ownerId: string, threadId: string): Promise<void> {
    if (!this.accepting) throw new ConflictError("The server is shutting down; try again in a moment.");
    if (await runningGeneration(this.options.db, ownerId, threadId)) {
      throw new ConflictError("This thread already has an answer being generated; stop it or wait for it to finish.");
    }
  }

  /** Stores the assistant message and starts answering `userMessage`. */
  async start(request: StartRequest): Promise<{ generationId: string; messageId: string }> {
    const { db } = this.options;
    await this.assertIdle(request.ownerId, request.threadId);
    const settings = resolveSettings(request.profile, request.settings);
    const messageId = newId();
    const generationId = await createGeneration(db, { ownerId: request.ownerId, threadId: request.threadId, messageId, instanceId: this.instanceId });
    await insertMessage(db, {
      id: messageId,
      ownerId: request.ownerId,
      threadId: request.threadId,
      parentId: request.userMessage.id,
      role: "assistant",
      parts: [],
      status: "streaming",
      profile: request.profile.name,
      modelId: request.profile.modelId,
    });
    await touchThread(db, request.ownerId, request.threadId, { activeLeafId: messageId });
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
      saving: undefined,
      stopCheckedAt: Date.now(),
    };
    this.live.set(generationId, live);
    live.finished = this.run(live, request, settings).catch((error: unknown) => {
      this.options.log.error({ err: error, generationId }, "generation failed unexpectedly");
    });
    return { generationId, messageId };
  }

  private async run(live: LiveGeneration, request: StartRequest, settings: ReturnType<typeof resolveSettings>): Promise<void> {
    const { db, provider, config } = this.options;
    const { profile } = request;
    const all = await listThreadMessages(db, live.ownerId, live.threadId);
    const history = toEngineHistory(pathTo(all, request.userMessage.parentId));
    const accumulator = new TurnAccumulator(profile.modelId);
    let reasoningStarted: number | undefined;
    let reasoningMs: number | undefined;
    const notices: string[] = [];

    this.emit(live, { type: "start", messageId: live.messageId, profile: profile.name, modelId: profile.modelId });
    const timer = setInterval(() => {
      if (!live.saving && !live.ending) live.saving = this.tick(live, accumulator).finally(() => (live.saving = undefined));
    }, this.flushMs);
    let result: TurnResult | undefined;
    try {
      for await (const event of runTurn({
        provider,
        profile,
        history,
        input: { role: "user", parts: request.userMessage.parts },
        settings,
        limits: config,
        signal: live.controller.signal,
      })) {
        accumulator.apply(event);
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
    } finally {
      clearInterval(timer);
      live.ending = true;
      await live.saving;
    }
    if (!result) return;
    if (reasoningStarted !== undefined && reasoningMs === undefined) {
      reasoningMs = Date.now() - reasoningStarted;
      this.emit(live, { type: "reasoning_end", ms: reasoningMs });
    }
    await updateMessage(db, live.ownerId, live.messageId, {
      parts: result.messages.flatMap((m) => m.parts),
      status: result.status,
      usage: result.usage,
      cost: result.cost?.total ?? null,
      error: result.error ? errorJson(result.error) : null,
      meta: { ...(reasoningMs !== undefined ? { reasoningMs } : {}), stopReason: result.stopReason, ...(notices.length ? { notices } : {}) },
    });
    await finishGeneration(db, live.id, result.status);
    await touchThread(db, live.ownerId, live.threadId);
    this.emit(live, { type: "done", status: result.status, messageId: live.messageId });
    await this.flush(live);
    this.live.delete(live.id);
    if (result.status === "complete") await this.maybeTitle(live, request, result.text);
  }

  private async maybeTitle(live: LiveGeneration, request: StartRequest, answer: string): Promise<void> {
    const { db, config, provider, log } = this.options;
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
      } catch (error) {
        log.warn({ err: error, threadId: live.threadId }, "title generation failed; using the first words");
      }
    }
    const current = await getThread(db, live.ownerId, live.threadId);
    if (current?.title === PLACEHOLDER_TITLE) await touchThread(db, live.ownerId, live.threadId, { title });
  }

  private emit(live: LiveGeneration, event: GenerationEvent): void {
    const seqEvent = { seq: live.events.length + 1, event };
    live.events.push(seqEvent);
    this.options.relay.publish(live.id, [seqEvent]);
  }

  private async tick(live: LiveGeneration, accumulator: TurnAccumulator): Promise<void> {
    try {
      await this.flush(live);
      if (live.ending) return;
      await updateMessage(this.options.db, live.ownerId, live.messageId, { parts: accumulator.parts, status: "streaming" });
      // A stop on this instance aborts at once; the database flag serves stops recorded by other instances.
      const now = Date.now();
      if (now - live.stopCheckedAt >= 1000) {
        live.stopCheckedAt = now;
        if (await isStopRequested(this.options.db, live.id)) live.controller.abort();
      }
    } catch (error) {
      this.options.log.warn({ err: error, generationId: live.id }, "saving generation progress failed");
    }
  }

  private async flush(live: LiveGeneration): Promise<void> {
    const pending = live.events.slice(live.flushed);
    if (pending.length === 0) return;
    live.flushed += pending.length;
    await appendEvents(this.options.db, live.id, pending[0]!.seq, pending.map((e) => e.event));
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
    const generation = await getGeneration(this.options.db, ownerId, generationId);
    if (!generation) return undefined;
    let last = afterSeq;
    let replaying = true;
    let ended = false;
    const buffered: SeqEvent[] = [];
    const deliver = (events: readonly SeqEvent[]) => {
      for (const e of events) {
        if (ended || e.seq <= last) continue;
        last = e.seq;
        send(e);
        if (e.event.type === "done") {
          ended = true;
          cleanup();
          onEnd();
          return;
        }
      }
    };
    const unsubscribe = this.options.relay.subscribe(generationId, (events) => (replaying ? buffered.push(...events) : deliver(events)));
    let poll: NodeJS.Timeout | undefined;
    const cleanup = () => {
      unsubscribe();
      if (poll) clearInterval(poll);
    };
    const live = this.live.get(generationId);
    deliver(live ? live.events.filter((e) => e.seq > afterSeq) : ((await readEvents(this.options.db, generationId, afterSeq)) as SeqEvent[]));
    replaying = false;
    deliver(buffered);
    if (!ended && !live) {
      // Running elsewhere (another instance) or already finished: the database has the durable copy.
      poll = setInterval(() => {
        void readEvents(this.options.db, generationId, last)
          .then((events) => deliver(events as SeqEvent[]))
          .catch(() => undefined);
      }, 1000);
    }
    return () => {
      ended = true;
      cleanup();
    };
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
    this.stopUnsubscribe();
  }

  /** Removes a failed answer that is being retried (it is replaced, not kept as a version). */
  async discardFailed(ownerId: string, message: StoredMessage): Promise<void> {
    if (message.role === "assistant" && message.status === "error") await deleteMessage(this.options.db, ownerId, message.id);
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

export { ConflictError };
