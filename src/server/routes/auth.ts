import type { FastifyReply, FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { AccountError, authenticate, checkCurrentPassword, oidcAccount, preparePasswordAccount, resetPassword, storePasswordAccount } from "../../auth/accounts.js";
import type { AuthMode } from "../../auth/mode.js";
import { loginTransactionSchema, OidcLoginError, type OidcClient } from "../../auth/oidc.js";
import { signInErrorPath, type SignInErrorCode } from "../../shared/signin-errors.js";
import type { Db } from "../../store/db.js";
import { recordAudit } from "../../store/audit.js";
import { consumeSetupToken, createSession, deleteSession, deleteUserSessions, isSetupToken } from "../../store/sessions.js";
import { hasAdmin, type User } from "../../store/users.js";
import { HttpError } from "../http-errors.js";
import { NEW_SETUP_LINK_COMMAND } from "../auth/setup-link.js";
import type { AuthCookies } from "../auth/cookies.js";
import { freeText, identifier } from "../schemas.js";

export interface AuthRoutesOptions {
  mode: AuthMode;
  db: Db;
  cookies: AuthCookies;
  clock: () => Date;
  oidc: OidcClient | undefined;
  /** Sign-in attempts allowed per client address in 5 minutes, on top of the per-account lockout. */
  attemptsPerIp: number;
}

const credentials = z.object({ email: identifier("email", 320), password: z.string().max(1024) });

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
      { schema: { tags: ["session"], body: credentials.extend({ token: identifier("setup token", 200), name: freeText().pipe(z.string().max(200)).optional() }) }, config: loginRateLimit },
      async (request, reply) => {
        const invalidToken = () =>
          new HttpError(403, "invalid_setup_token", `This setup link is not valid: it was used, it expired (links last an hour), or it was mistyped. Run \`${NEW_SETUP_LINK_COMMAND}\` on the server for a new one.`);
        if (await hasAdmin(db)) throw new HttpError(409, "setup_done", "The admin account already exists. Sign in instead.");
        if (!(await isSetupToken(db, request.body.token, clock()))) throw invalidToken();
        const prepared = await preparePasswordAccount({ email: request.body.email, password: request.body.password, role: "admin", ...(request.body.name ? { name: request.body.name } : {}) }).catch(accountError);
        // The token is used up in the commit that creates the admin: of two parallel requests with it, one wins.
        const user = await db
          .transaction()
          .execute(async (tx) => {
            if (!(await consumeSetupToken(tx, request.body.token, clock()))) throw invalidToken();
            const created = await storePasswordAccount(tx, prepared);
            await recordAudit(tx, { actorId: created.id, action: "setup.admin_created", targetId: created.id }, clock());
            return created;
          })
          .catch(accountError);
        await startSession(request, reply, user);
        return { user };
      },
    );

    app.post("/api/account/password", { schema: { tags: ["session"], body: z.object({ currentPassword: z.string().max(1024), newPassword: z.string().max(1024) }) } }, async (request, reply) => {
      await checkCurrentPassword(db, request.user, request.body.currentPassword, clock()).catch(accountError);
      await resetPassword(db, request.user.id, request.user.email, request.body.newPassword).catch(accountError);
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
    /** Back to the sign-in page with a code only (the web app shows its message); the precise reason goes to the log. */
    const refuse = (request: FastifyRequest, reply: FastifyReply, code: SignInErrorCode, reason: string) => {
      request.log.warn({ code, reason }, "OpenID sign-in refused");
      return reply.redirect(signInErrorPath(code));
    };
    const refusalCode = (error: OidcLoginError | AccountError): SignInErrorCode =>
      error instanceof OidcLoginError ? error.code : error.code === "disabled" ? "disabled" : "invalid_callback";

    app.get("/auth/login", { schema: { tags: ["session"], hide: true }, config: loginRateLimit }, async (request, reply) => {
      try {
        const { url, transaction } = await oidc.beginLogin();
        void reply.setCookie(cookies.login, Buffer.from(JSON.stringify(transaction)).toString("base64url"), cookies.loginOptions());
        return reply.redirect(url.toString());
      } catch (error) {
        if (error instanceof OidcLoginError) return refuse(request, reply, error.code, error.message);
        throw error;
      }
    });

    app.get("/auth/callback", { schema: { tags: ["session"], hide: true }, config: loginRateLimit }, async (request, reply) => {
      const raw = request.cookies[cookies.login];
      void reply.clearCookie(cookies.login, cookies.clearOptions());
      const parsed = raw ? loginTransactionSchema.safeParse(safeJson(Buffer.from(raw, "base64url").toString())) : undefined;
      if (!parsed?.success) {
        return refuse(request, reply, "expired", `The pending-login cookie is ${raw ? "not valid" : "missing"}: the sign-in took longer than 10 minutes or was started in another browser.`);
      }
      // The provider redirected to the registered redirect URI; its query carries the code and state.
      const callbackUrl = new URL(oidc.settings.redirectUri);
      callbackUrl.search = new URL(request.url, "http://callback").search;
      try {
        const identity = await oidc.finishLogin(callbackUrl, parsed.data);
        if (identity.unverifiedEmail) {
          request.log.info(
            { subject: identity.subject, email: identity.unverifiedEmail },
            "OpenID provider did not verify the email: the account keeps none. If the provider never sends email_verified, set OIDC_TRUST_UNVERIFIED_EMAIL=true.",
          );
        }
        const user = await oidcAccount(db, identity, oidc.isAdmin(identity), clock());
        await startSession(request, reply, user, identity.idToken);
        return reply.redirect("/");
      } catch (error) {
        if (error instanceof OidcLoginError || error instanceof AccountError) return refuse(request, reply, refusalCode(error), error.message);
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
