import { saveAnswerProgress } from "../../store/answers.js";
import type { Db } from "../../store/db.js";
import { heartbeat, stopRequestedAmong } from "../../store/generations.js";
import type { LiveGeneration } from "./live-generation.js";

/** How often running generations report that their instance is alive (orphans.ts waits 30 s without it). */
export const GENERATION_HEARTBEAT_MS = 5_000;
/** How often stop requests recorded by other instances are read. */
const STOP_POLL_MS = 1_000;

export interface ProgressOptions {
  db: Db;
  live: ReadonlyMap<string, LiveGeneration>;
  /** How often progress is saved. */
  flushMs: number;
  /** Several instances share the database: heartbeats mark this instance's generations alive. */
  multiInstance: boolean;
  now: () => Date;
  log: { warn: (o: object, m?: string) => void };
}

/**
 * Saves the progress of every running generation on one timer: new events and partial parts, in one transaction
 * however many answers are streaming; reads stop requests from other instances once a second, in one query; and
 * sends heartbeats. It runs while any generation does.
 */
export class ProgressSaver {
  private timer: NodeJS.Timeout | undefined;
  /** The save in flight, if any: the final commit of an answer waits for it. */
  saving: Promise<void> | undefined;
  private stopCheckedAt = 0;
  private heartbeatAt = 0;

  constructor(private readonly options: ProgressOptions) {}

  start(): void {
    this.timer ??= setInterval(() => {
      if (!this.saving) this.saving = this.saveAll().finally(() => (this.saving = undefined));
    }, this.options.flushMs);
  }

  /** Stops the timer when no generation runs any more. */
  idle(): void {
    if (this.options.live.size > 0) return;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async saveAll(): Promise<void> {
    const { db, live } = this.options;
    const pending = [...live.values()].filter((l) => !l.ending && (l.events.length > l.flushed || l.state.version !== l.savedVersion));
    try {
      if (pending.length) {
        const batches = pending.map((l) => ({ live: l, from: l.flushed, events: l.events.slice(l.flushed), version: l.state.version, parts: l.state.version !== l.savedVersion ? l.state.parts : undefined }));
        await saveAnswerProgress(
          db,
          batches.map((b) => ({ ownerId: b.live.ownerId, generationId: b.live.id, messageId: b.live.messageId, firstSeq: b.from + 1, events: b.events.map((e) => e.event), parts: b.parts })),
        );
        // Only once committed: a failed batch is retried whole by the next save.
        for (const b of batches) {
          if (b.live.flushed === b.from) b.live.flushed = b.from + b.events.length;
          b.live.savedVersion = b.version;
        }
      }
      const now = Date.now();
      if (now - this.stopCheckedAt >= STOP_POLL_MS && live.size) {
        this.stopCheckedAt = now;
        for (const id of await stopRequestedAmong(db, [...live.keys()])) live.get(id)?.controller.abort();
      }
      if (this.options.multiInstance && now - this.heartbeatAt >= GENERATION_HEARTBEAT_MS && live.size) {
        this.heartbeatAt = now;
        await heartbeat(db, [...live.keys()], this.options.now());
      }
    } catch (error) {
      this.options.log.warn({ err: error }, "saving generation progress failed");
    }
  }
}
