import { EventEmitter } from "node:events";
import type { GenerationEvent, ToolDecision } from "../../shared/generation-events.js";

export type { GenerationEvent };

/** The user's decision about a tool call waiting in a generation (which may run on another instance). */
export interface ApprovalMessage {
  generationId: string;
  toolUseId: string;
  decision: ToolDecision;
}

/** A generation event with its durable position (1, 2, 3, ... per generation). */
export interface SeqEvent {
  seq: number;
  event: GenerationEvent;
}

/**
 * Live fan-out of generation events, stop requests and tool approvals between instances. In-process now; a PostgreSQL
 * LISTEN/NOTIFY implementation serves several instances (the database keeps the durable copy either way).
 */
export interface Relay {
  publish(generationId: string, events: readonly SeqEvent[]): void;
  subscribe(generationId: string, listener: (events: readonly SeqEvent[]) => void): () => void;
  publishStop(generationId: string): void;
  onStop(listener: (generationId: string) => void): () => void;
  publishApproval(message: ApprovalMessage): void;
  onApproval(listener: (message: ApprovalMessage) => void): () => void;
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

  publishApproval(message: ApprovalMessage): void {
    this.emitter.emit("approval", message);
  }

  onApproval(listener: (message: ApprovalMessage) => void): () => void {
    this.emitter.on("approval", listener);
    return () => this.emitter.off("approval", listener);
  }

  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}
