import { EventEmitter } from "node:events";
import { sql } from "kysely";
import pg from "pg";
import type { Db } from "../../store/db.js";
import type { ApprovalMessage, Relay, SeqEvent } from "./relay.js";

const EVENTS = "chat_generation_events";
const STOPS = "chat_generation_stops";
const APPROVALS = "chat_tool_approvals";
/** NOTIFY payloads are limited to 8000 bytes; larger batches are split, and a single larger event is left to the database poll. */
const MAX_PAYLOAD = 7500;

interface Logger {
  warn: (o: object, m?: string) => void;
}

/**
 * Live fan-out between instances through PostgreSQL LISTEN/NOTIFY. Events published in one event-loop turn go out
 * as one notification per generation. Delivery is best effort: the durable copy is the generation_events table,
 * which listeners on other instances also poll, so a lost or oversized notification only delays events.
 */
export class PostgresRelay implements Relay {
  private readonly emitter = new EventEmitter();
  private readonly instance = Math.random().toString(36).slice(2, 10);
  private listener: pg.Client | undefined;
  private closed = false;
  private pending = new Map<string, SeqEvent[]>();
  private flushScheduled = false;
  private reconnectTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly url: string,
    private readonly db: Db,
    private readonly log: Logger,
  ) {
    this.emitter.setMaxListeners(0);
  }

  static async connect(url: string, db: Db, log: Logger): Promise<PostgresRelay> {
    const relay = new PostgresRelay(url, db, log);
    await relay.listen();
    return relay;
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url });
    client.on("notification", (message) => this.receive(message.channel, message.payload ?? ""));
    const lost = (error?: Error) => {
      if (this.closed || this.listener !== client) return;
      this.listener = undefined;
      this.log.warn({ err: error }, "lost the PostgreSQL LISTEN connection; reconnecting (events still arrive from the database meanwhile)");
      this.reconnectTimer = setTimeout(() => void this.listen().catch((e: unknown) => lost(e as Error)), 1000);
    };
    client.on("error", lost);
    client.on("end", () => lost());
    await client.connect();
    await client.query(`LISTEN ${EVENTS}`);
    await client.query(`LISTEN ${STOPS}`);
    await client.query(`LISTEN ${APPROVALS}`);
    this.listener = client;
  }

  private receive(channel: string, payload: string): void {
    try {
      const message = JSON.parse(payload) as { i: string; g: string; e?: SeqEvent[]; a?: Omit<ApprovalMessage, "generationId"> };
      if (message.i === this.instance) return;
      if (channel === EVENTS && message.e) this.emitter.emit(`gen:${message.g}`, message.e);
      else if (channel === STOPS) this.emitter.emit("stop", message.g);
      else if (channel === APPROVALS && message.a) this.emitter.emit("approval", { generationId: message.g, toolUseId: message.a.toolUseId, decision: message.a.decision });
    } catch {
      // Not ours: ignore.
    }
  }

  publish(generationId: string, events: readonly SeqEvent[]): void {
    this.emitter.emit(`gen:${generationId}`, events);
    const list = this.pending.get(generationId);
    if (list) list.push(...events);
    else this.pending.set(generationId, [...events]);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    const pending = this.pending;
    this.pending = new Map();
    for (const [generationId, events] of pending) {
      let batch: SeqEvent[] = [];
      let size = 0;
      const send = () => {
        if (batch.length) this.notify(EVENTS, { i: this.instance, g: generationId, e: batch });
        batch = [];
        size = 0;
      };
      for (const event of events) {
        const length = Buffer.byteLength(JSON.stringify(event));
        if (length > MAX_PAYLOAD - 100) continue;
        if (size + length > MAX_PAYLOAD - 100) send();
        batch.push(event);
        size += length + 1;
      }
      send();
    }
  }

  private notify(channel: string, message: object): void {
    if (this.closed) return;
    sql`SELECT pg_notify(${channel}, ${JSON.stringify(message)})`.execute(this.db).catch((error: unknown) => this.log.warn({ err: error }, "NOTIFY failed; listeners elsewhere will read the database"));
  }

  subscribe(generationId: string, listener: (events: readonly SeqEvent[]) => void): () => void {
    this.emitter.on(`gen:${generationId}`, listener);
    return () => this.emitter.off(`gen:${generationId}`, listener);
  }

  publishStop(generationId: string): void {
    this.emitter.emit("stop", generationId);
    this.notify(STOPS, { i: this.instance, g: generationId });
  }

  onStop(listener: (generationId: string) => void): () => void {
    this.emitter.on("stop", listener);
    return () => this.emitter.off("stop", listener);
  }

  publishApproval(message: ApprovalMessage): void {
    this.emitter.emit("approval", message);
    this.notify(APPROVALS, { i: this.instance, g: message.generationId, a: { toolUseId: message.toolUseId, decision: message.decision } });
  }

  onApproval(listener: (message: ApprovalMessage) => void): () => void {
    this.emitter.on("approval", listener);
    return () => this.emitter.off("approval", listener);
  }

  async close(): Promise<void> {
    if (this.pending.size) this.flush();
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    this.emitter.removeAllListeners();
    const client = this.listener;
    this.listener = undefined;
    await client?.end().catch(() => undefined);
  }
}
