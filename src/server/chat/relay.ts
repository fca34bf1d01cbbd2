import { EventEmitter } from "node:events";

/** A generation event with its durable position (1, 2, 3, ... per generation). */
export interface SeqEvent {
  seq: number;
  event: GenerationEvent;
}

/** Events a client receives over SSE. */
export type GenerationEvent =
  | { type: "start"; messageId: string; profile: string; modelId: string }
  | { type: "text"; delta: string }
  | { type: "reasoning"; delta: string }
  | { type: "reasoning_end"; ms: number; redacted?: boolean }
  | { type: "tool_use"; id: string; name: string; input: unknown }
  | { type: "tool_result"; toolUseId: string; status: "success" | "error"; text: string }
  | { type: "usage"; usage: { inputTokens: number; outputTokens: number; cacheReadInputTokens: number; cacheWriteInputTokens: number }; cost: string | null }
  | { type: "notice"; message: string }
  | { type: "error"; code: string; message: string; retryable: boolean }
  | { type: "done"; status: "complete" | "stopped" | "error"; messageId: string };

/**
 * Live fan-out of generation events and stop requests between instances. In-process now; a PostgreSQL
 * LISTEN/NOTIFY implementation serves several instances (the database keeps the durable copy either way).
 */
export interface Relay {
  publish(generationId: string, events: readonly SeqEvent[]): void;
  subscribe(generationId: string, listener: (events: readonly SeqEvent[]) => void): () => void;
  publishStop(generationId: string): void;
  onStop(listener: (generationId: string) => void): () => void;
  close(): Promise<void>;
}

export class InProcessRelay implements Relay {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  publish(generationId: string, events: readonly SeqEvent[]): void {
    this.emitter.emit(`gen:${generationId}`, events);
  }

  subscribe(generationId: string, listener: (events: readonly SeqEvent[]) => void): () => void {
    this.emitter.on(`gen:${generationId}`, listener);
    return () => this.emitter.off(`gen:${generationId}`, listener);
  }

  publishStop(generationId: string): void {
    this.emitter.emit("stop", generationId);
  }

  onStop(listener: (generationId: string) => void): () => void {
    this.emitter.on("stop", listener);
    return () => this.emitter.off("stop", listener);
  }

  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}
