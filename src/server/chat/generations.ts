import type { BlobStore } from "../../attachments/blob-store.js";
import type { TurnTools } from "../mcp.js";
import type { AppConfig, ModelProfile } from "../../config/resolve.js";
import { promptCharacters, worstCaseCost } from "../../engine/cost.js";
import type { FileResolver } from "../../engine/files.js";
import type { Provider } from "../../engine/provider.js";
import type { TurnSettings } from "../../engine/settings.js";
import { historyFromRows } from "../../engine/stored-turn.js";
import { TurnState } from "../../engine/turn-state.js";
import type { Message } from "../../engine/types.js";
import { startAnswer } from "../../store/answers.js";
import type { Db } from "../../store/db.js";
import { ConflictError, getGeneration, requestStop } from "../../store/generations.js";
import { newId } from "../../store/ids.js";
import { listThreadMessages, type NewMessage, type StoredMessage } from "../../store/messages.js";
import { pathTo } from "../../shared/thread-tree.js";
import { driveAnswer, type AnswerContext } from "./answer-run.js";
import { followGeneration } from "./follow.js";
import type { LiveGeneration } from "./live-generation.js";
import { OrphanRecovery } from "./orphans.js";
import { ProgressSaver } from "./progress.js";
import type { Relay, SeqEvent } from "./relay.js";
import type { ToolDecision } from "../../shared/generation-events.js";
import { PLACEHOLDER_TITLE, writeThreadTitle, type TitleOptions } from "./thread-title.js";

export { PLACEHOLDER_TITLE };

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
  /** Turns a user's stored attachments into bytes (or S3 locations) for model requests. */
  files?: (ownerId: string) => FileResolver;
  /** Where attachment bytes live (a question's files are linked to it when it is stored). */
  blobs?: BlobStore;
  /** The user's MCP tools for one answer. */
  tools?: (ownerId: string) => Promise<TurnTools | undefined>;
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
  /** Settings checked at the edge against the profile, defaults filled in (engine/settings.ts). */
  settings: TurnSettings;
  /** What the check at the edge changed in stored settings, told with the answer. */
  notices?: string[];
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

/**
 * Generations are owned by the server, not by an HTTP connection: they run to the end (or to a stop) whoever
 * is listening, every event gets a durable position, progress is saved on a short timer, and any listener can
 * join late with Last-Event-ID and get what it missed, then the live stream.
 */
export class GenerationManager {
  private readonly live = new Map<string, LiveGeneration>();
  private readonly instanceId: string;
  private accepting = true;
  private readonly stopUnsubscribe: () => void;
  private readonly progress: ProgressSaver;
  private readonly orphans: OrphanRecovery;
  private readonly answers: AnswerContext;
  private readonly titles: TitleOptions;

  constructor(private readonly options: GenerationOptions) {
    this.instanceId = options.instanceId ?? newId();
    const now = () => this.now();
    const multiInstance = options.multiInstance === true;
    this.progress = new ProgressSaver({ db: options.db, live: this.live, flushMs: options.flushMs ?? 250, multiInstance, now, log: options.log });
    this.orphans = new OrphanRecovery({ db: options.db, multiInstance, isLive: (id) => this.live.has(id), now, log: options.log });
    this.answers = { db: options.db, provider: options.provider, config: options.config, relay: options.relay, now, log: options.log, saving: () => this.progress.saving, ...(options.files ? { files: options.files } : {}), ...(options.tools ? { tools: options.tools } : {}), ...(options.blobs ? { blobs: options.blobs } : {}) };
    this.titles = {
      db: options.db,
      provider: options.provider,
      config: options.config,
      now,
      log: options.log,
      ...(options.titleGeneration ? { titleGeneration: options.titleGeneration } : {}),
      ...(options.titleProfile ? { titleProfile: options.titleProfile } : {}),
    };
    const stops = options.relay.onStop((id) => this.live.get(id)?.controller.abort());
    const approvals = options.relay.onApproval((m) => this.live.get(m.generationId)?.approvals?.decide(m.toolUseId, m.decision));
    this.stopUnsubscribe = () => {
      stops();
      approvals();
    };
  }

  /** Saves generations interrupted by a process that died as stopped (see orphans.ts). */
  recoverOrphans(): Promise<number> {
    return this.orphans.recover();
  }

  /** Stores the question (when new) and the assistant message, and starts answering. */
  async start(request: StartRequest): Promise<{ generationId: string; messageId: string; userMessage: StoredMessage }> {
    const { db } = this.options;
    if (!this.accepting) throw new ConflictError("The server is shutting down; try again in a moment.");
    // Ids sort in creation order (a thread lists its messages by them): the question's comes before the answer's.
    const question = "createdAt" in request.question ? { stored: request.question } : { insert: { ...request.question, id: request.question.id ?? newId() } };
    const messageId = newId();
    // The conversation the question continues, read once: for the worst-case cost now and the model call later.
    // A first question (parent null, e.g. an edit of the first message) has no history: pathTo(null) would walk
    // from the thread's last message, which belongs to the branch being replaced.
    const parentId = request.question.parentId;
    const history = parentId === null ? [] : historyFromRows(pathTo(await listThreadMessages(db, request.ownerId, request.threadId), parentId));
    const prompt = { characters: promptCharacters([...history, { role: "user", parts: request.question.parts }], request.settings.system) };
    const reservedCost = worstCaseCost(request.profile, prompt, request.settings);
    // One commit for the admission, the question, the generation, its empty answer, the thread and the prompt
    // version it is written with; a refused
    // admission or a second running answer (ConflictError) rolls all of it back.
    const { generationId, userMessage } = await db.transaction().execute(async (tx) => {
      await request.admit?.(tx, reservedCost);
      return startAnswer(tx, {
        ownerId: request.ownerId,
        threadId: request.threadId,
        messageId,
        instanceId: this.instanceId,
        now: this.now(),
        question,
        profile: { name: request.profile.name, modelId: request.profile.modelId },
        reservedCost,
        ...(this.options.blobs ? { blobs: this.options.blobs } : {}),
        ...(request.replaces ? { replaces: request.replaces } : {}),
        ...(request.threadPatch ? { threadPatch: request.threadPatch } : {}),
        ...(request.settings.systemSource?.source === "prompt" ? { promptUse: request.settings.systemSource } : {}),
      });
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
      state: new TurnState(request.profile.modelId),
      savedVersion: 0,
    };
    this.live.set(generationId, live);
    this.progress.start();
    live.finished = this.run(live, request, history, userMessage).catch((error: unknown) => {
      this.options.log.error({ err: error, generationId }, "generation failed unexpectedly");
    });
    return { generationId, messageId, userMessage };
  }

  private async run(live: LiveGeneration, request: StartRequest, history: Message[], question: StoredMessage): Promise<void> {
    let result;
    try {
      result = await driveAnswer(this.answers, live, { profile: request.profile, settings: request.settings, history, question, notices: request.notices ?? [] });
    } finally {
      this.live.delete(live.id);
      this.progress.idle();
    }
    if (result.status === "complete" && request.needsTitle) {
      const text = question.parts.flatMap((p) => (p.type === "text" ? [p.text] : [])).join(" ");
      await writeThreadTitle(this.titles, { ownerId: live.ownerId, threadId: live.threadId, profile: request.profile, question: text, answer: result.text });
    }
  }

  private now(): Date {
    return this.options.clock?.() ?? new Date();
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
   * The user's decision about a tool call waiting for permission: settled here when the generation runs on this
   * instance ("decided", or "not_waiting" when no such call waits), otherwise sent to the instance that runs it.
   */
  async decideTool(ownerId: string, generationId: string, toolUseId: string, decision: ToolDecision): Promise<"decided" | "sent" | "not_waiting" | "finished" | "not_found"> {
    const generation = await getGeneration(this.options.db, ownerId, generationId);
    if (!generation) return "not_found";
    if (generation.status !== "running") return "finished";
    const live = this.live.get(generationId);
    if (live) return live.approvals?.decide(toolUseId, decision) ? "decided" : "not_waiting";
    this.options.relay.publishApproval({ generationId, toolUseId, decision });
    return "sent";
  }

  /**
   * Delivers the generation's events after `afterSeq`, then live ones, to `send`, until `done`.
   * Returns undefined when the generation does not exist for this owner.
   */
  async subscribe(ownerId: string, generationId: string, afterSeq: number, send: (e: SeqEvent) => void, onEnd: () => void): Promise<(() => void) | undefined> {
    const deps = { db: this.options.db, relay: this.options.relay };
    // A generation running here is known without asking the database (the common case: the page that started it).
    const live = this.live.get(generationId);
    if (live) {
      if (live.ownerId !== ownerId) return undefined;
      return followGeneration(deps, { id: live.id, status: "running", lastSeq: live.events.length, messageId: live.messageId }, afterSeq, live.events, send, onEnd);
    }
    const stored = await getGeneration(this.options.db, ownerId, generationId);
    return stored && followGeneration(deps, stored, afterSeq, undefined, send, onEnd);
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
    this.progress.idle();
    await this.progress.saving;
    this.stopUnsubscribe();
    this.orphans.close();
  }
}
