import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { AccountError, createPasswordAccount, resetPassword } from "../../auth/accounts.js";
import type { AuthMode } from "../../auth/mode.js";
import { missingCachePrices, type AppConfig } from "../../config/resolve.js";
import { listAudit, recordAudit } from "../../store/audit.js";
import type { Db } from "../../store/db.js";
import { deleteUserSessions } from "../../store/sessions.js";
import { usageReport } from "../../store/usage.js";
import { toolCallReport } from "../../store/tool-calls.js";
import type { UsageReport } from "../../shared/accounts.js";
import { storageByUser } from "../../store/attachments.js";
import { getAccount, listAccounts, updateAccount, type Account } from "../../store/users.js";
import { requireAdmin } from "../auth/plugin.js";
import { HttpError, notFound } from "../http-errors.js";
import { freeText, identifier, idParams } from "../schemas.js";

const amount = z.string().regex(/^\d+(\.\d+)?$/, "an amount in dollars such as 25 or 7.50");

const accountPatch = z
  .object({
    disabled: z.boolean(),
    role: z.enum(["admin", "user"]),
    name: freeText().pipe(z.string().trim().min(1).max(200)),
    monthlyCap: amount.nullable(),
    ratePerMinute: z.number().int().min(1).max(10_000).nullable(),
  })
  .partial();

/** Admin pages' API: accounts (create, disable, role, limits, revoke sessions, reset password), usage, audit log. */
export const adminRoutes: FastifyPluginAsyncZod<{ db: Db; mode: AuthMode; clock: () => Date; config: AppConfig }> = async (app, { db, mode, clock, config }) => {
  app.addHook("preHandler", async (request) => requireAdmin(request));

  async function account(id: string): Promise<Account> {
    const found = await getAccount(db, id);
    if (!found || id === "local") throw notFound("User");
    return found;
  }
  const audit = (actorId: string, action: string, targetId: string, detail?: Record<string, unknown>) => recordAudit(db, { actorId, action, targetId, ...(detail ? { detail } : {}) }, clock());

  app.get("/api/admin/users", { schema: { tags: ["admin"] } }, async () => {
    const storage = await storageByUser(db);
    return { users: (await listAccounts(db)).map((u) => ({ ...u, storageBytes: storage.get(u.id) ?? 0 })), authMode: mode };
  });

  app.post(
    "/api/admin/users",
    { schema: { tags: ["admin"], body: z.object({ email: identifier("email", 320), password: z.string().max(1024), role: z.enum(["admin", "user"]).default("user"), name: freeText().pipe(z.string().max(200)).optional() }) } },
    async (request, reply) => {
      if (mode !== "local") throw new HttpError(400, "not_local", "Accounts with passwords exist only in AUTH_MODE=local; with single sign-on, users are created when they first sign in.");
      const { email, password, role, name } = request.body;
      const user = await createPasswordAccount(db, { email, password, role, ...(name ? { name } : {}) }).catch((error: unknown) => {
        if (error instanceof AccountError) throw new HttpError(error.status, error.code, error.message);
        throw error;
      });
      await audit(request.user.id, "user.created", user.id, { role });
      return reply.status(201).send({ user: await account(user.id) });
    },
  );

  app.patch("/api/admin/users/:id", { schema: { tags: ["admin"], params: idParams, body: accountPatch } }, async (request) => {
    const target = await account(request.params.id);
    const patch = request.body;
    if (target.id === request.user.id && (patch.disabled === true || patch.role === "user")) {
      throw new HttpError(400, "self_lockout", "You cannot disable your own account or remove your own admin role; ask another administrator.");
    }
    const updated = await updateAccount(db, target.id, patch);
    if (patch.disabled === true) await deleteUserSessions(db, target.id);
    await audit(request.user.id, "user.updated", target.id, patch);
    return { user: updated };
  });

  app.post("/api/admin/users/:id/revoke-sessions", { schema: { tags: ["admin"], params: idParams } }, async (request) => {
    const target = await account(request.params.id);
    const revoked = await deleteUserSessions(db, target.id);
    await audit(request.user.id, "user.sessions_revoked", target.id, { revoked });
    return { revoked };
  });

  app.post("/api/admin/users/:id/password", { schema: { tags: ["admin"], params: idParams, body: z.object({ password: z.string().max(1024) }) } }, async (request) => {
    const target = await account(request.params.id);
    if (target.signIn !== "password") throw new HttpError(400, "no_password", "This account signs in with single sign-on and has no password.");
    await resetPassword(db, target.id, target.email, request.body.password).catch((error: unknown) => {
      if (error instanceof AccountError) throw new HttpError(error.status, error.code, error.message);
      throw error;
    });
    await audit(request.user.id, "user.password_reset", target.id);
    return { ok: true };
  });

  app.get("/api/admin/usage", { schema: { tags: ["admin"], querystring: z.object({ days: z.coerce.number().int().min(1).max(366).default(30) }) } }, async (request) => {
    const since = new Date(clock().getTime() - request.query.days * 24 * 60 * 60_000);
    since.setUTCHours(0, 0, 0, 0);
    const reply: UsageReport = {
      since: since.toISOString(),
      rows: await usageReport(db, since),
      toolCalls: await toolCallReport(db, since),
      // From the same rule that warns about them when config.json is loaded.
      missingCachePrices: config.profiles.flatMap((p) => {
        const missing = missingCachePrices(p);
        return missing.length ? [{ profile: p.name, modelId: p.modelId, missing }] : [];
      }),
    };
    return reply;
  });

  app.get("/api/admin/audit", { schema: { tags: ["admin"] } }, async () => ({ entries: await listAudit(db) }));
};
