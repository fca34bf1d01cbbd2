import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { GenerationManager } from "../chat/generations.js";
import { HttpError, notFound } from "../http-errors.js";
import { identifier, idParams } from "../schemas.js";

/** How often an idle event stream sends a comment, so proxies and browsers keep the connection open. */
export const KEEP_ALIVE_MS = 15_000;

/** An event position: a non-negative whole number, as the server numbers events (1, 2, 3, ...). */
const eventPosition = z.string().regex(/^\d{1,15}$/).transform(Number);

/** Where a listener resumes: `Last-Event-ID` (sent by a reconnecting EventSource) or `?lastEventId=`, checked alike. */
function resumePosition(header: string | string[] | undefined, query: string | undefined): number {
  const raw = Array.isArray(header) ? header[0] : (header ?? query);
  if (raw === undefined) return 0;
  const parsed = eventPosition.safeParse(raw.trim());
  if (!parsed.success) {
    throw new HttpError(400, "invalid_last_event_id", `Last-Event-ID must be the id of an event received (a whole number such as 12), not ${JSON.stringify(raw.slice(0, 40))}. Reconnect without it to get the whole answer.`);
  }
  // Positions are 32-bit in the database; any larger one is past the end all the same.
  return Math.min(parsed.data, MAX_POSITION);
}

const MAX_POSITION = 2_147_483_647;

/** Server-sent events of a generation (resumable with Last-Event-ID) and Stop. */
export const generationRoutes: FastifyPluginAsyncZod<{ generations: GenerationManager; streams: Set<() => void> }> = async (app, { generations, streams }) => {
  app.get(
    "/api/generations/:id/events",
    { schema: { tags: ["generations"], params: idParams, querystring: z.object({ lastEventId: z.string().max(40).optional() }) } },
    async (request, reply) => {
      const afterSeq = resumePosition(request.headers["last-event-id"], request.query.lastEventId);
      let closed = false;
      const raw = reply.raw;
      // Events queued during one turn of the event loop go out in one write: no delay when the server is idle,
      // far fewer system calls when it is busy (one write per event per listener was a sixth of the CPU at load).
      let pending: string[] = [];
      const flush = () => {
        if (!closed && pending.length) raw.write(pending.length === 1 ? pending[0]! : pending.join(""));
        pending = [];
      };
      const write = (chunk: string) => {
        if (closed) return;
        if (pending.push(chunk) === 1) setImmediate(flush);
      };
      const end = () => {
        if (closed) return;
        flush();
        closed = true;
        clearInterval(heartbeat);
        streams.delete(end);
        unsubscribe?.();
        raw.end();
      };
      let heartbeat: NodeJS.Timeout | undefined;
      let unsubscribe: (() => void) | undefined;
      let started = false;
      const open = () => {
        if (started) return;
        started = true;
        reply.hijack();
        raw.writeHead(200, {
          "content-type": "text/event-stream; charset=utf-8",
          "cache-control": "no-cache, no-transform",
          connection: "keep-alive",
          "x-accel-buffering": "no",
        });
        raw.write("retry: 1000\n\n");
        heartbeat = setInterval(() => write(": keep-alive\n\n"), KEEP_ALIVE_MS);
        streams.add(end);
        raw.on("close", end);
      };
      unsubscribe = await generations.subscribe(
        request.user.id,
        request.params.id,
        afterSeq,
        (e) => {
          open();
          write(`id: ${e.seq}\nevent: ${e.event.type}\ndata: ${JSON.stringify(e.event)}\n\n`);
        },
        () => {
          open();
          end();
        },
      );
      if (!unsubscribe) throw notFound("Generation");
      open();
    },
  );

  app.post("/api/generations/:id/stop", { schema: { tags: ["generations"], params: idParams } }, async (request, reply) => {
    const outcome = await generations.stop(request.user.id, request.params.id);
    if (outcome === "not_found") throw notFound("Generation");
    return reply.status(202).send({ status: outcome });
  });

  // The user's decision about a tool call that waits for permission: Allow, Always allow (this tool) or Deny.
  app.post(
    "/api/generations/:id/tool-approvals",
    {
      schema: {
        tags: ["generations"],
        params: idParams,
        body: z.object({ toolUseId: identifier("tool call id", 200).pipe(z.string().min(1)), decision: z.enum(["allow", "always", "deny"]) }).strict(),
      },
    },
    async (request, reply) => {
      const outcome = await generations.decideTool(request.user.id, request.params.id, request.body.toolUseId, request.body.decision);
      if (outcome === "not_found") throw notFound("Generation");
      if (outcome === "finished") throw new HttpError(409, "generation_finished", "This answer has already ended; its tool calls can no longer be allowed or denied.");
      if (outcome === "not_waiting") throw new HttpError(409, "not_waiting", "That tool call is not waiting for permission (it was already decided, or it is not part of this answer).");
      return reply.status(202).send({ status: outcome });
    },
  );
};
