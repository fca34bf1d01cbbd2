import { stopOrphanedAnswer } from "../../store/answers.js";
import type { Db } from "../../store/db.js";
import { runningGenerations } from "../../store/generations.js";

/** After how long without a heartbeat a running generation of another instance is an orphan. */
const ORPHAN_AFTER_MS = 30_000;

/**
 * Generations left running by a process that died are saved as stopped, with what they had streamed. Single
 * instance: every running one at start. Several instances: those whose heartbeat stopped, at start and then every
 * half minute.
 */
export class OrphanRecovery {
  private sweepTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: {
      db: Db;
      multiInstance: boolean;
      /** Whether a generation runs on this instance (never an orphan). */
      isLive: (id: string) => boolean;
      now: () => Date;
      log: { warn: (o: object, m?: string) => void };
    },
  ) {}

  /** Recovers the orphans there are now (and, with several instances, starts the periodic sweep). */
  async recover(): Promise<number> {
    const { db, multiInstance } = this.options;
    if (multiInstance && !this.sweepTimer) {
      this.sweepTimer = setInterval(() => void this.recover().catch((error: unknown) => this.options.log.warn({ err: error }, "orphan sweep failed")), ORPHAN_AFTER_MS);
      this.sweepTimer.unref();
    }
    const staleBefore = multiInstance ? new Date(this.options.now().getTime() - ORPHAN_AFTER_MS) : undefined;
    const orphans = (await runningGenerations(db, staleBefore)).filter((o) => !this.options.isLive(o.id));
    for (const orphan of orphans) await stopOrphanedAnswer(db, orphan);
    return orphans.length;
  }

  close(): void {
    clearInterval(this.sweepTimer);
  }
}
