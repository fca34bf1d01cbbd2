import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { sumAmounts } from "../../engine/cost.js";
import { runningGeneration } from "../../store/generations.js";
import type { BlobStore } from "../../attachments/blob-store.js";
import { deleteThreadAttachments, listThreadAttachments } from "../../store/attachments.js";
import { createThread, deleteThread, listThreads, updateThread } from "../../store/threads.js";
import type { Db } from "../../store/db.js";
import { latestLeafUnder } from "../../shared/thread-tree.js";
import { PLACEHOLDER_TITLE } from "../chat/generations.js";
import { checkedSettings, storedForm, type ChatService } from "../chat/service.js";
import { HttpError, notFound } from "../http-errors.js";
import { freeText, idParams, settingsSchema } from "../schemas.js";

/** A thread title as typed: NUL characters removed, then 1..200 characters. */
const title = freeText().pipe(z.string().trim().min(1).max(200));
/** Long text (a message, a system prompt in settings): these routes take the large body limit. */
const largeBody = { largeBody: true };

export interface ChatRouteDeps {
  db: Db;
  /** Where attachment bytes live (a deleted thread's files go with it). */
  blobs: BlobStore;
  chat: ChatService;
  defaultProfile: string;
}

/** Threads and their messages. Every query is scoped by the signed-in user; other users' ids are 404. */
export const threadRoutes: FastifyPluginAsyncZod<ChatRouteDeps> = async (app, { db, blobs, chat, defaultProfile }) => {
  const summary = (t: { id: string; title: string; profile: string; createdAt: string; updatedAt: string }) => ({
    id: t.id,
    title: t.title,
    profile: t.profile,
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
  });

  app.get("/api/threads", { schema: { tags: ["threads"], querystring: z.object({ q: freeText().pipe(z.string().max(500)).optional() }) } }, async (request) => {
    const threads = await listThreads(db, request.user.id, request.query.q !== undefined ? { query: request.query.q } : {});
    return { threads: threads.map(summary) };
  });

  app.post(
    "/api/threads",
    { schema: { tags: ["threads"], body: z.object({ profile: z.string().optional(), settings: settingsSchema.optional(), title: title.optional() }) }, config: largeBody },
    async (request, reply) => {
      const profile = chat.profile(request.body.profile ?? defaultProfile);
      const settings = storedForm(checkedSettings(profile, request.body.settings ?? {}, "request").settings);
      const thread = await createThread(db, request.user.id, { title: request.body.title ?? PLACEHOLDER_TITLE, profile: profile.name, settings });
      return reply.status(201).send({ thread });
    },
  );

  app.get("/api/threads/:id", { schema: { tags: ["threads"], params: idParams } }, async (request) => {
    const thread = await chat.thread(request.user.id, request.params.id);
    const messages = await chat.messages(request.user.id, thread.id);
    const running = await runningGeneration(db, request.user.id, thread.id);
    const cost = sumAmounts([thread.extraCost, ...messages.filter((m) => m.role === "assistant").map((m) => m.cost)]);
    // Files as metadata and download URLs, never bytes.
    const attachments = await listThreadAttachments(db, request.user.id, thread.id);
    return { thread, messages, attachments, running: running ? { generationId: running.id, messageId: running.messageId } : null, cost };
  });

  app.patch(
    "/api/threads/:id",
    { schema: { tags: ["threads"], params: idParams, body: z.object({ title: title.optional(), profile: z.string().optional(), settings: settingsSchema.optional() }) }, config: largeBody },
    async (request) => {
      const current = await chat.thread(request.user.id, request.params.id);
      const profile = chat.profile(request.body.profile ?? current.profile);
      const { settings, ...rest } = request.body;
      const thread = await updateThread(db, request.user.id, request.params.id, { ...rest, ...(settings ? { settings: storedForm(checkedSettings(profile, settings, "request").settings) } : {}) });
      return { thread };
    },
  );

  app.delete("/api/threads/:id", { schema: { tags: ["threads"], params: idParams } }, async (request, reply) => {
    if (await runningGeneration(db, request.user.id, request.params.id)) {
      throw new HttpError(409, "generation_running", "Stop the answer being generated before deleting this thread.");
    }
    if (!(await deleteThread(db, request.user.id, request.params.id))) throw notFound("Thread");
    await deleteThreadAttachments(db, blobs, request.user.id, request.params.id);
    return reply.status(204).send();
  });

  app.put(
    "/api/threads/:id/active",
    { schema: { tags: ["threads"], params: idParams, body: z.object({ messageId: z.string().min(1) }) } },
    async (request) => {
      const messages = await chat.messages(request.user.id, request.params.id);
      if (!messages.some((m) => m.id === request.body.messageId)) throw notFound("Message");
      const thread = await updateThread(db, request.user.id, request.params.id, { activeLeafId: latestLeafUnder(messages, request.body.messageId) });
      return { thread };
    },
  );

  app.get("/api/threads/:id/messages", { schema: { tags: ["messages"], params: idParams } }, async (request) => ({
    messages: await chat.messages(request.user.id, request.params.id),
  }));

  app.post(
    "/api/threads/:id/messages",
    {
      schema: {
        tags: ["messages"],
        params: idParams,
        body: z.object({
          text: freeText(),
          parentId: z.string().max(64).nullable().optional(),
          profile: z.string().optional(),
          settings: settingsSchema.optional(),
          /** Ids of uploaded files sent with the message (POST /api/attachments). */
          attachments: z.array(z.string().max(64)).max(100).optional(),
        }),
      },
      config: largeBody,
    },
    async (request, reply) => {
      const result = await chat.post({
        ownerId: request.user.id,
        threadId: request.params.id,
        text: request.body.text,
        ...(request.body.parentId !== undefined ? { parentId: request.body.parentId } : {}),
        ...(request.body.profile !== undefined ? { profile: request.body.profile } : {}),
        ...(request.body.settings !== undefined ? { settings: request.body.settings } : {}),
        ...(request.body.attachments !== undefined ? { attachments: request.body.attachments } : {}),
      });
      return reply.status(202).send(result);
    },
  );

  app.post(
    "/api/messages/:id/regenerate",
    { schema: { tags: ["messages"], params: idParams, body: z.object({ profile: z.string().optional(), settings: settingsSchema.optional() }).optional() }, config: largeBody },
    async (request, reply) => {
      const body = request.body ?? {};
      const result = await chat.regenerate(request.user.id, request.params.id, {
        ...(body.profile !== undefined ? { profile: body.profile } : {}),
        ...(body.settings !== undefined ? { settings: body.settings } : {}),
      });
      return reply.status(202).send(result);
    },
  );
};
