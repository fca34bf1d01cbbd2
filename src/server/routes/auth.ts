import type { FastifyReply, FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { AccountError, authenticate, createPasswordAccount, oidcAccount, resetPassword } from "../../auth/accounts.js";
import type { AuthMode } from "../../auth/mode.js";
import { loginTransactionSchema, OidcLoginError, type OidcClient } from "../../auth/oidc.js";
import { verifyPassword } from "../../auth/passwords.js";
import type { Db } from "../../store/db.js";
import { recordAudit } from "../../store/audit.js";
import { clearSetupTokens, createSession, deleteSession, deleteUserSessions, isSetupToken } from "../../store/sessions.js";
import { findUserRowByEmail, hasAdmin, type User } from "../../store/users.js";
import { HttpError } from "../http-errors.js";
import type { AuthCookies } from "../auth/cookies.js";

export interface AuthRoutesOptions {
  mode: AuthMode;
  db: Db;
  cookies: AuthCookies;
  clock: () => Date;
  oidc: OidcClient | undefined;
  /** Sign-in attempts allowed per client address in 5 minutes, on top of the per-account lockout. */
  attemptsPerIp: number;
}

const credentials = z.object({ email: z.string().max(320), password: z.string().max(1024) });

function accountError(error: unknown): never {
  if (error instanceof AccountError) throw new HttpError(error.status, error.code, error.message);
  throw error;
}

/** Sign-in, sign-out, first-run setup, password change and the OpenID redirect flow. */
export const authRoutes: FastifyPluginAsyncZod<AuthRoutesOptions> = async (app, options) => {
  const { db, cookies, clock, mode, oidc } = options;
  const loginRateLimit = {
    rateLimit: {
      max: options.attemptsPerIp,
      timeWindow: "5 minutes",
      errorResponseBuilder: () => new HttpError(429, "too_many_attempts", "Too many sign-in attempts from your network. Wait five minutes and try again."),
    },
  };

  async function startSession(request: FastifyRequest, reply: FastifyReply, user: User, idToken?: string): Promise<void> {
    const { token } = await createSession(db, user.id, clock(), { ...(request.headers["user-agent"] ? { userAgent: request.headers["user-agent"] } : {}), ...(idToken ? { idToken } : {}) });
    void reply.setCookie(cookies.session, token, cookies.sessionOptions());
  }

  app.get("/api/session", { schema: { tags: ["session"] } }, async (request) => ({
    authMode: mode,
    user: request.maybeUser ?? null,
    setupRequired: mode === "local" && !(await hasAdmin(db)),
  }));

  if (mode === "local") {
    app.post("/auth/login", { schema: { tags: ["session"], body: credentials }, config: loginRateLimit }, async (request, reply) => {
      const user = await authenticate(db, request.body.email, request.body.password, clock()).catch(accountError);
      await startSession(request, reply, user);
      return { user };
    });

    app.post(
      "/auth/setup",
      { schema: { tags: ["session"], body: credentials.extend({ token: z.string().max(200), name: z.string().max(200).optional() }) }, config: loginRateLimit },
      async (request, reply) => {
        if (await hasAdmin(db)) throw new HttpError(409, "setup_done", "The admin account already exists. Sign in instead.");
        if (!(await isSetupToken(db, request.body.token))) {
          throw new HttpError(403, "invalid_setup_token", "This setup link is not valid. Open the link printed in the server log when it started (restarting the server prints a new one).");
        }
        const user = await createPasswordAccount(db, { email: request.body.email, password: request.body.password, role: "admin", ...(request.body.name ? { name: request.body.name } : {}) }).catch(accountError);
        await clearSetupTokens(db);
        await recordAudit(db, { actorId: user.id, action: "setup.admin_created", targetId: user.id }, clock());
        await startSession(request, reply, user);
        return { user };
      },
    );

    app.post("/api/account/password", { schema: { tags: ["session"], body: z.object({ currentPassword: z.string().max(1024), newPassword: z.string().max(1024) }) } }, async (request, reply) => {
      const row = request.user.email ? await findUserRowByEmail(db, request.user.email) : undefined;
      if (!row?.password_hash) throw new HttpError(400, "no_password", "This account signs in without a password.");
      if (!(await verifyPassword(request.body.currentPassword, row.password_hash))) throw new HttpError(400, "invalid_credentials", "The current password is not right. Type it again.");
      await resetPassword(db, row.id, row.email, request.body.newPassword).catch(accountError);
      await startSession(request, reply, request.user);
      return { ok: true };
    });
  }

  async function endSession(request: FastifyRequest, reply: FastifyReply, everywhere: boolean): Promise<{ redirect: string }> {
    const idToken = request.sessionIdToken;
    if (request.maybeUser && everywhere) await deleteUserSessions(db, request.maybeUser.id);
    else if (request.sessionHash) await deleteSession(db, request.sessionHash);
    void reply.clearCookie(cookies.session, cookies.clearOptions());
    return { redirect: (oidc && (await oidc.logoutUrl(idToken))) || "/" };
  }
  app.post("/auth/logout", { schema: { tags: ["session"] } }, async (request, reply) => endSession(request, reply, false));
  app.post("/auth/logout-everywhere", { schema: { tags: ["session"] } }, async (request, reply) => endSession(request, reply, true));

  if (mode === "oidc" && oidc) {
    app.get("/auth/login", { schema: { tags: ["session"], hide: true }, config: loginRateLimit }, async (_request, reply) => {
      try {
        const { url, transaction } = await oidc.beginLogin();
        void reply.setCookie(cookies.login, Buffer.from(JSON.stringify(transaction)).toString("base64url"), cookies.loginOptions());
        return reply.redirect(url.toString());
      } catch (error) {
        if (error instanceof OidcLoginError) return reply.redirect(`/?signin_error=${encodeURIComponent(error.message)}`);
        throw error;
      }
    });

    app.get("/auth/callback", { schema: { tags: ["session"], hide: true }, config: loginRateLimit }, async (request, reply) => {
      const raw = request.cookies[cookies.login];
      void reply.clearCookie(cookies.login, cookies.clearOptions());
      const fail = (message: string) => reply.redirect(`/?signin_error=${encodeURIComponent(message)}`);
      const parsed = raw ? loginTransactionSchema.safeParse(safeJson(Buffer.from(raw, "base64url").toString())) : undefined;
      if (!parsed?.success) return fail("The sign-in took too long or was started in another browser. Sign in again.");
      // The provider redirected to the registered redirect URI; its query carries the code and state.
      const callbackUrl = new URL(oidc.settings.redirectUri);
      callbackUrl.search = new URL(request.url, "http://callback").search;
      try {
        const identity = await oidc.finishLogin(callbackUrl, parsed.data);
        const user = await oidcAccount(db, identity, oidc.isAdmin(identity), clock());
        await startSession(request, reply, user, identity.idToken);
        return reply.redirect("/");
      } catch (error) {
        if (error instanceof OidcLoginError || error instanceof AccountError) {
          request.log.warn({ code: error.code }, "OpenID sign-in refused");
          return fail(error.message);
        }
        throw error;
      }
    });
  }
};

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
