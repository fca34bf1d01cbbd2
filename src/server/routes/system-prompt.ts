import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppConfig } from "../../config/resolve.js";
import type { PromptService } from "../../prompts/service.js";
import type { Db } from "../../store/db.js";
import { getThread } from "../../store/threads.js";
import { HttpError, notFound } from "../http-errors.js";
import { identifier, idParams } from "../schemas.js";

const profileQuery = z.object({ profile: identifier("profile name", 200).optional() });

/**
 * The system prompt in use, for the Settings panel (issue 13): a thread's (the text it took at its first turn) or
 * a new chat's (what it would get now), and "Use the latest prompt" for an existing thread.
 */
export const systemPromptRoutes: FastifyPluginAsyncZod<{ db: Db; config: AppConfig; prompts: PromptService }> = async (app, { db, config, prompts }) => {
  const profileNamed = (name: string | undefined) => {
    if (name === undefined) return config.defaultProfile;
    const found = config.profiles.find((p) => p.name === name);
    if (!found) throw new HttpError(400, "unknown_profile", `Unknown chat profile "${name}".`);
    return found;
  };
  const threadOf = async (ownerId: string, id: string) => {
    const thread = await getThread(db, ownerId, id);
    if (!thread) throw notFound("Thread");
    return thread;
  };

  app.get("/api/system-prompt", { schema: { tags: ["threads"], querystring: profileQuery } }, async (request) => ({
    systemPrompt: await prompts.state(request.user.id, null, profileNamed(request.query.profile), undefined),
  }));

  app.get("/api/threads/:id/system-prompt", { schema: { tags: ["threads"], params: idParams, querystring: profileQuery } }, async (request) => {
    const thread = await threadOf(request.user.id, request.params.id);
    return { systemPrompt: await prompts.state(request.user.id, thread.id, profileNamed(request.query.profile ?? thread.profile), undefined) };
  });

  app.post("/api/threads/:id/system-prompt/latest", { schema: { tags: ["threads"], params: idParams, body: profileQuery.optional() } }, async (request) => {
    const thread = await threadOf(request.user.id, request.params.id);
    return { systemPrompt: await prompts.useLatest(request.user.id, thread.id, profileNamed(request.body?.profile ?? thread.profile)) };
  });
};
