import type { FastifyInstance, FastifyRequest } from "fastify";
import type { AuthMode } from "../../auth/mode.js";
import type { Db } from "../../store/db.js";
import { findSession } from "../../store/sessions.js";
import type { User } from "../../store/users.js";
import { HttpError } from "../http-errors.js";
import { policyOf } from "../route-policy.js";
import type { AuthCookies } from "./cookies.js";

declare module "fastify" {
  interface FastifyRequest {
    /** The signed-in user; every store query is scoped by this id. Set on /api routes (others may be anonymous). */
    user: User;
    /** The user, or undefined when nobody is signed in. */
    maybeUser: User | undefined;
    /** Hash of the session token of this request (sign-in modes). */
    sessionHash: string | undefined;
    /** The provider's ID token of this session (OpenID logout). */
    sessionIdToken: string | null;
  }
}

export interface AuthContext {
  mode: AuthMode;
  db: Db;
  cookies: AuthCookies;
  clock: () => Date;
  /** The local user of `none` mode. */
  localUser: User;
}

const UNAUTHENTICATED = "You are not signed in, or your session has ended. Sign in to continue.";

/**
 * Resolves the user of each request (the local user, or the session cookie's), and refuses routes that are not
 * public (by the matched route's policy, see route-policy.ts) to nobody with 401. `request.user` cannot be read
 * without a user: a handler never runs with a null one. CSRF: every state-changing request must carry `X-Requested-With: fetch` (a cross-site form
 * cannot send it) and an Origin (checked against the app's own by the request guard).
 */
export function installAuth(app: FastifyInstance, context: AuthContext): void {
  app.decorateRequest("user", {
    getter(this: FastifyRequest): User {
      if (!this.maybeUser) throw new HttpError(401, "unauthenticated", UNAUTHENTICATED);
      return this.maybeUser;
    },
  });
  app.decorateRequest("maybeUser", undefined);
  app.decorateRequest("sessionHash", undefined);
  app.decorateRequest("sessionIdToken", null);
  app.addHook("onRequest", async (request, reply) => {
    if (!["GET", "HEAD", "OPTIONS"].includes(request.method)) {
      const problem = csrfProblem(request);
      if (problem) return reply.status(403).send({ error: { code: "csrf", message: problem } });
    }
    await resolveUser(request, context);
    if (!request.maybeUser && !policyOf(request).public) return reply.status(401).send({ error: { code: "unauthenticated", message: UNAUTHENTICATED } });
    return undefined;
  });
}

function csrfProblem(request: FastifyRequest): string | undefined {
  if (request.headers["x-requested-with"] !== "fetch") return "This request must come from the app itself (header X-Requested-With: fetch is missing). Reload the page and try again.";
  if (!request.headers.origin) return "This request must come from the app itself (the Origin header is missing). Reload the page and try again.";
  return undefined;
}

async function resolveUser(request: FastifyRequest, context: AuthContext): Promise<void> {
  if (context.mode === "none") {
    request.maybeUser = context.localUser;
    return;
  }
  const token = request.cookies[context.cookies.session];
  if (!token) return;
  const session = await findSession(context.db, token, context.clock());
  if (!session) return;
  request.maybeUser = session.user;
  request.sessionHash = session.tokenHash;
  request.sessionIdToken = session.idToken;
}

/** For admin-only routes: 403 for everyone else. */
export function requireAdmin(request: FastifyRequest): void {
  if (request.user.role !== "admin") throw new HttpError(403, "forbidden", "This page is for administrators.");
}
