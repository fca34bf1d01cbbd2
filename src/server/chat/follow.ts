import type { Db } from "../../store/db.js";
import { readEvents } from "../../store/generations.js";
import type { Relay, SeqEvent } from "./relay.js";

/**
 * Follows one generation for one listener: its events after `afterSeq` (from memory when this instance runs it,
 * else from the database), then live ones from the relay, to `send`, in order and without gaps, until `done`.
 * Live events from another instance can run ahead of what the database has (a listener joining mid-stream, a
 * notification too large to send): they wait while the database fills the gap. A generation running elsewhere or
 * finished is also polled from the database every second, so a lost notification only delays events.
 * Returns the function that stops following.
 */
export async function followGeneration(
  deps: { db: Db; relay: Relay },
  generationId: string,
  afterSeq: number,
  liveEvents: readonly SeqEvent[] | undefined,
  send: (e: SeqEvent) => void,
  onEnd: () => void,
): Promise<() => void> {
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
  const deliver = (events: readonly SeqEvent[]) => {
    for (const e of events) if (!ended && e.seq > last) ahead.set(e.seq, e);
    for (let e = ahead.get(last + 1); e && !ended; e = ahead.get(last + 1)) {
      ahead.delete(e.seq);
      last = e.seq;
      send(e);
      if (e.event.type === "done") {
        ended = true;
        cleanup();
        onEnd();
        return;
      }
    }
    if (ahead.size && !replaying) fillGap();
  };
  const unsubscribe = relay.subscribe(generationId, (events) => (replaying ? buffered.push(...events) : deliver(events)));
  const cleanup = () => {
    unsubscribe();
    if (poll) clearInterval(poll);
  };

  deliver(liveEvents ? liveEvents.filter((e) => e.seq > afterSeq) : ((await readEvents(db, generationId, afterSeq)) as SeqEvent[]));
  replaying = false;
  deliver(buffered);
  if (!ended && !liveEvents) poll = setInterval(() => void fromDatabase(), 1000);
  return () => {
    ended = true;
    cleanup();
  };
}
