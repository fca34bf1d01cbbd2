import type { Db } from "../../store/db.js";
import { readEvents } from "../../store/generations.js";
import type { GenerationRow } from "../../store/generations.js";
import type { Relay, SeqEvent } from "./relay.js";

/**
 * Follows one generation for one listener: its events after `afterSeq` (from memory when this instance runs it,
 * else from the database), then live ones from the relay, to `send`, in order and without gaps, until `done`.
 * Live events from another instance can run ahead of what the database has (a listener joining mid-stream, a
 * notification too large to send): they wait while the database fills the gap. A generation running elsewhere or
 * finished is also polled from the database every second, so a lost notification only delays events.
 * A finished generation is answered with what is left after `afterSeq` and its end, then closed, whatever
 * `afterSeq` is (past the end too): a stream never stays open on an answer that will not change.
 * Returns the function that stops following.
 */
export async function followGeneration(
  deps: { db: Db; relay: Relay },
  generation: Pick<GenerationRow, "id" | "status" | "lastSeq" | "messageId">,
  afterSeq: number,
  liveEvents: readonly SeqEvent[] | undefined,
  send: (e: SeqEvent) => void,
  onEnd: () => void,
): Promise<() => void> {
  const generationId = generation.id;
  const { db, relay } = deps;
  let last = afterSeq;
  let replaying = true;
  let ended = false;
  const buffered: SeqEvent[] = [];
  const ahead = new Map<number, SeqEvent>();
  let filling = false;
  let poll: NodeJS.Timeout | undefined;

  const fromDatabase = () =>
    readEvents(db, generationId, last)
      .then((events) => deliver(events as SeqEvent[]))
      .catch(() => undefined);
  const fillGap = () => {
    if (filling || ended) return;
    filling = true;
    void fromDatabase().finally(() => (filling = false));
  };
  const finish = (e: SeqEvent) => {
    send(e);
    ended = true;
    cleanup();
    onEnd();
  };
  const deliver = (events: readonly SeqEvent[]) => {
    for (const e of events) {
      if (ended) return;
      if (e.seq > last) ahead.set(e.seq, e);
      // The end at or before the listener's position (a Last-Event-ID past it): the listener has all there is.
      else if (e.event.type === "done") return finish(e);
    }
    for (let e = ahead.get(last + 1); e && !ended; e = ahead.get(last + 1)) {
      ahead.delete(e.seq);
      last = e.seq;
      if (e.event.type === "done") return finish(e);
      send(e);
    }
    if (ahead.size && !replaying) fillGap();
  };
  const unsubscribe = relay.subscribe(generationId, (events) => (replaying ? buffered.push(...events) : deliver(events)));
  const cleanup = () => {
    unsubscribe();
    if (poll) clearInterval(poll);
  };

  if (!liveEvents && generation.status !== "running") {
    // Finished: the rest of the log, then its end (read again if the listener is past it), then close.
    deliver((await readEvents(db, generationId, afterSeq)) as SeqEvent[]);
    if (!ended) finish(await endEvent(db, generation));
    return () => undefined;
  }
  deliver(liveEvents ? liveEvents.filter((e) => e.seq > afterSeq) : ((await readEvents(db, generationId, afterSeq)) as SeqEvent[]));
  replaying = false;
  deliver(buffered);
  if (!ended && !liveEvents) poll = setInterval(() => void fromDatabase(), 1000);
  return () => {
    ended = true;
    cleanup();
  };
}

/** A finished generation's `done` event: the logged one, or one made from its row when the log has none. */
async function endEvent(db: Db, generation: Pick<GenerationRow, "id" | "status" | "lastSeq" | "messageId">): Promise<SeqEvent> {
  const logged = generation.lastSeq > 0 ? ((await readEvents(db, generation.id, generation.lastSeq - 1)) as SeqEvent[]).find((e) => e.event.type === "done") : undefined;
  if (logged) return logged;
  const status = generation.status === "running" ? "error" : generation.status;
  return { seq: Math.max(generation.lastSeq, 1), event: { type: "done", status, messageId: generation.messageId } };
}
