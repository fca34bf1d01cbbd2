import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { PromptAdmin } from "../../prompts/admin.js";
import { PROMPT_NAME_PATTERN } from "../../prompts/names.js";
import type { PromptService } from "../../prompts/service.js";
import { PromptStoreError, type PromptStoreErrorKind } from "../../prompts/types.js";
import { PROMPT_NOTE_LIMIT, PROMPT_TEXT_LIMIT } from "../../shared/prompts.js";
import { requireAdmin } from "../auth/plugin.js";
import { HttpError } from "../http-errors.js";
import { freeText } from "../schemas.js";

/** A prompt is named by its name in the store (letters, digits, single - or _): in the query or the body, not the path. */
const promptName = z.string().regex(PROMPT_NAME_PATTERN, "a prompt name such as fllm-default");
const versionNumber = z.number().int().min(1).max(99_999);
const promptText = freeText().pipe(z.string().max(PROMPT_TEXT_LIMIT, `The prompt text may have at most ${PROMPT_TEXT_LIMIT.toLocaleString("en-US")} characters.`));
const note = freeText().pipe(z.string().trim().max(PROMPT_NOTE_LIMIT, `A note may have at most ${PROMPT_NOTE_LIMIT} characters.`));

const STATUS: Record<PromptStoreErrorKind, number> = { not_found: 404, conflict: 409, throttled: 429, validation: 400, access_denied: 502, quota: 502, unavailable: 503 };

/** A store's refusal as the API's error shape, in the store's plain words. */
async function storeCall<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof PromptStoreError) throw new HttpError(STATUS[error.kind], `prompt_${error.kind}`, error.message);
    throw error;
  }
}

/** The admin Prompts page's API (issue 13): admins only; every change goes to the audit log. */
export const adminPromptRoutes: FastifyPluginAsyncZod<{ prompts: PromptService; clock: () => Date }> = async (app, { prompts, clock }) => {
  // Before validation: a user is refused (403) whatever the request carries.
  app.addHook("preValidation", async (request) => requireAdmin(request));
  const admin = new PromptAdmin(prompts, clock);
  const tags = ["admin"];

  app.get("/api/admin/prompts", { schema: { tags } }, async () => ({ store: prompts.store.kind, prompts: await admin.list() }));

  app.get("/api/admin/prompt", { schema: { tags, querystring: z.object({ name: promptName }) } }, async (request) => ({ prompt: await storeCall(() => admin.detail(request.query.name)) }));

  app.get("/api/admin/prompt/version", { schema: { tags, querystring: z.object({ name: promptName, version: z.coerce.number().pipe(versionNumber) }) } }, async (request) => ({
    version: await storeCall(() => admin.version(request.query.name, request.query.version)),
  }));

  app.put("/api/admin/prompt/draft", { config: { largeBody: true }, schema: { tags, body: z.object({ name: promptName, text: promptText }) } }, async (request) => ({
    prompt: await storeCall(() => admin.saveDraft(request.body.name, request.body.text, request.user.id)),
  }));

  app.post("/api/admin/prompt/versions", { config: { largeBody: true }, schema: { tags, body: z.object({ name: promptName, note: note.optional(), text: promptText.optional() }) } }, async (request, reply) => {
    const { name, note: given, text } = request.body;
    const published = await storeCall(() => admin.publish(name, { ...(given ? { note: given } : {}), ...(text !== undefined ? { text } : {}) }, request.user.id));
    return reply.status(201).send(published);
  });

  app.put("/api/admin/prompt/pin", { schema: { tags, body: z.object({ name: promptName, version: versionNumber }) } }, async (request) => ({
    prompt: await storeCall(() => admin.rollBack(request.body.name, request.body.version, request.user.id)),
  }));
};
