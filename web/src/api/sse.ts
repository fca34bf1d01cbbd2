import { createParser } from "eventsource-parser";
import type { GenerationEvent } from "./types.js";

export interface StreamHandlers {
  onEvent(event: GenerationEvent): void;
  /** The connection dropped; reconnecting (with Last-Event-ID) after a short wait. */
  onReconnecting(): void;
  onReconnected(): void;
}

/**
 * Streams an answer: reads its generation's SSE events over fetch, reconnecting by itself with Last-Event-ID after
 * network loss, until the `done` event. Returns a function that stops listening (the generation keeps running on
 * the server). The server's own follower of a generation is server/chat/follow.ts's followGeneration.
 */
export function streamAnswer(generationId: string, handlers: StreamHandlers, lastEventId = 0): () => void {
  const controller = new AbortController();
  let last = lastEventId;
  let finished = false;

  const run = async () => {
    let attempt = 0;
    while (!finished && !controller.signal.aborted) {
      try {
        const res = await fetch(`/api/generations/${generationId}/events`, {
          headers: { "last-event-id": String(last), accept: "text/event-stream" },
          signal: controller.signal,
        });
        if (res.status === 404) return;
        if (!res.ok || !res.body) throw new Error(`status ${res.status}`);
        if (attempt > 0) handlers.onReconnected();
        attempt = 0;
        const parser = createParser({
          onEvent: (message) => {
            if (message.id) last = Number(message.id);
            const event = JSON.parse(message.data) as GenerationEvent;
            if (event.type === "done") finished = true;
            handlers.onEvent(event);
          },
        });
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          parser.feed(value);
        }
        if (finished) return;
      } catch {
        if (controller.signal.aborted) return;
      }
      attempt++;
      handlers.onReconnecting();
      await new Promise((r) => setTimeout(r, Math.min(500 * 2 ** (attempt - 1), 5000)));
    }
  };
  void run();
  return () => controller.abort();
}
