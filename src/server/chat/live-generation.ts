import type { TurnState } from "../../engine/turn-state.js";
import type { GenerationEvent, Relay, SeqEvent } from "./relay.js";
import type { ToolApprovals } from "./tool-approval.js";

/** A generation running on this instance: its events so far, its turn state and how far both are saved. */
export interface LiveGeneration {
  id: string;
  ownerId: string;
  threadId: string;
  messageId: string;
  /** Every event so far, `events[i].seq === i + 1`. */
  events: SeqEvent[];
  /** How many of `events` are in the database's log. */
  flushed: number;
  controller: AbortController;
  finished: Promise<void>;
  /** Set when the answer is final: progress saves must not overwrite it. */
  ending: boolean;
  /** The turn as the engine builds it (the one fold of the model's events). */
  state: TurnState;
  /** `state.version` at the last progress save. */
  savedVersion: number;
  /** Tool calls waiting for the user's permission (answers with MCP tools). */
  approvals?: ToolApprovals;
}

/** Gives the event its position and tells every listener (here and, through the relay, on other instances). */
export function emit(live: LiveGeneration, relay: Relay, event: GenerationEvent): void {
  const seqEvent = { seq: live.events.length + 1, event };
  live.events.push(seqEvent);
  relay.publish(live.id, [seqEvent]);
}
