import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { preferencesPatchSchema } from "../schemas.js";
import type { Db } from "../../store/db.js";
import { getPreferences, updatePreferences } from "../../store/preferences.js";

/** The signed-in user's display preferences (not a thread's settings). */
export const preferencesRoutes: FastifyPluginAsyncZod<{ db: Db }> = async (app, { db }) => {
  app.get("/api/preferences", { schema: { tags: ["session"] } }, async (request) => ({ preferences: await getPreferences(db, request.user.id) }));
  app.patch("/api/preferences", { schema: { tags: ["session"], body: preferencesPatchSchema } }, async (request) => ({
    preferences: await updatePreferences(db, request.user.id, request.body),
  }));
};
