import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { sumAmounts } from "../../engine/cost.js";
import { runningGeneration } from "../../store/generations.js";
import type { BlobStore } from "../../attachments/blob-store.js";
import { deleteThreadAttachments, listThreadAttachments } from "../../store/attachments.js";
import { createThread, decodeCursor, deleteThread, encodeCursor, listThreadPage, setArchived, setPinned, updateThread, type ListedThread } from "../../store/threads.js";
import { buildExport, exportFileName, exportMarkdown } from "../threads/export.js";
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
  // threads (issue 12): pinned, archived, the activity time that orders the list, a search result's snippet.
  const summary = (t: ListedThread) => ({
    id: t.id,
    title: t.title,
    profile: t.profile,
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
    activeAt: t.activeAt,
    pinned: t.pinned,
    archivedAt: t.archivedAt,
    ...(t.snippet ? { snippet: t.snippet } : {}),
  });

  /** A page of the list (or of a search, or of the archive); `nextCursor` asks for the next page. */
  const listQuery = z.object({
    q: freeText().pipe(z.string().max(500)).optional(),
    cursor: z.string().max(300).optional(),
    limit: z.coerce.number().int().min(1).max(200).optional(),
    archived: z.enum(["true", "false"]).optional(),
  });
  app.get("/api/threads", { schema: { tags: ["threads"], querystring: listQuery } }, async (request) => {
    const { q, cursor, limit, archived } = request.query;
    const after = cursor !== undefined ? decodeCursor(cursor) : undefined;
    if (cursor !== undefined && !after) throw new HttpError(400, "invalid_cursor", "This list position is not valid: load the list again.");
    const page = await listThreadPage(db, request.user.id, { query: q, limit, after, archived: archived === "true" });
    return { threads: page.threads.map(summary), ...(page.next ? { nextCursor: encodeCursor(page.next) } : {}) };
  });

  app.put("/api/threads/:id/pin", { schema: { tags: ["threads"], params: idParams, body: z.object({ pinned: z.boolean() }) } }, async (request) => {
    const thread = await setPinned(db, request.user.id, request.params.id, request.body.pinned);
    if (!thread) throw notFound("Thread");
    return { thread };
  });

  app.put("/api/threads/:id/archive", { schema: { tags: ["threads"], params: idParams, body: z.object({ archived: z.boolean() }) } }, async (request) => {
    const thread = await setArchived(db, request.user.id, request.params.id, request.body.archived);
    if (!thread) throw notFound("Thread");
    return { thread };
  });

  // Markdown unless ?format=json (an absent format is no reason to answer before the ownership check).
  app.get(
    "/api/threads/:id/export",
    { schema: { tags: ["threads"], params: idParams, querystring: z.object({ format: z.enum(["markdown", "json"]).default("markdown") }) } },
    async (request, reply) => {
      const thread = await chat.thread(request.user.id, request.params.id);
      const messages = await chat.messages(request.user.id, thread.id);
      const cost = sumAmounts([thread.extraCost, ...messages.filter((m) => m.role === "assistant").map((m) => m.cost)]);
      const exported = buildExport(thread, messages, cost);
      const markdown = request.query.format === "markdown";
      const name = exportFileName(thread.title, markdown ? "md" : "json");
      void reply
        .header("content-type", markdown ? "text/markdown; charset=utf-8" : "application/json; charset=utf-8")
        .header("content-disposition", `attachment; filename="${name}"; filename*=UTF-8''${encodeURIComponent(name)}`)
        .header("cache-control", "no-store");
      return markdown ? exportMarkdown(exported) : JSON.stringify(exported, null, 2);
    },
  );

  app.post(
    "/api/threads",
    {
      schema: {
        tags: ["threads"],
        body: z.object({
          profile: z.string().optional(),
          settings: settingsSchema.optional(),
          title: title.optional(),
          /** The first message, sent in the same request (a new chat's Send): the answer starts at once. */
          message: z.object({ text: freeText(), attachments: z.array(z.string().max(64)).max(100).optional() }).optional(),
        }),
      },
      config: largeBody,
    },
    async (request, reply) => {
      const profile = chat.profile(request.body.profile ?? defaultProfile);
      const settings = storedForm(checkedSettings(profile, request.body.settings ?? {}, "request").settings);
      const thread = await createThread(db, request.user.id, { title: request.body.title ?? PLACEHOLDER_TITLE, profile: profile.name, settings });
      const message = request.body.message;
      if (!message) return reply.status(201).send({ thread });
      try {
        const started = await chat.post({ ownerId: request.user.id, threadId: thread.id, text: message.text, profile: profile.name, ...(request.body.settings ? { settings: request.body.settings } : {}), ...(message.attachments ? { attachments: message.attachments } : {}) });
        return reply.status(202).send({ thread, ...started });
      } catch (error) {
        // The message was refused (an empty message, a file, a limit): no empty thread is left behind.
        await deleteThread(db, request.user.id, thread.id).catch(() => undefined);
        throw error;
      }
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
