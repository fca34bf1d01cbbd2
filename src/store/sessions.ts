import { createHash, randomBytes } from "node:crypto";
import type { Db } from "./db.js";
import { toUser, type User } from "./users.js";

/** Sessions last 15 days from sign-in, like the original app's Cognito sessions. */
export const SESSION_TTL_MS = 15 * 24 * 60 * 60_000;

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("base64url");
}

/** Creates a session and returns its token (the database keeps only the token's hash). */
export async function createSession(db: Db, userId: string, now: Date, extra: { userAgent?: string; idToken?: string } = {}): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
  await db
    .insertInto("sessions")
    .values({ token_hash: hashToken(token), user_id: userId, created_at: now.toISOString(), expires_at: expiresAt.toISOString(), user_agent: extra.userAgent?.slice(0, 300) ?? null, id_token: extra.idToken ?? null })
    .execute();
  return { token, expiresAt };
}

export interface SessionUser {
  user: User;
  tokenHash: string;
  idToken: string | null;
}

/** The user behind a session token, if the session is current and the account enabled. */
export async function findSession(db: Db, token: string, now: Date): Promise<SessionUser | undefined> {
  const tokenHash = hashToken(token);
  const row = await db
    .selectFrom("sessions")
    .innerJoin("users", "users.id", "sessions.user_id")
    .select(["users.id", "users.email", "users.name", "users.role", "users.disabled", "sessions.expires_at", "sessions.id_token"])
    .where("sessions.token_hash", "=", tokenHash)
    .executeTakeFirst();
  if (!row || row.disabled === 1 || Date.parse(row.expires_at) <= now.getTime()) return undefined;
  return { user: toUser(row), tokenHash, idToken: row.id_token };
}

export async function deleteSession(db: Db, tokenHash: string): Promise<void> {
  await db.deleteFrom("sessions").where("token_hash", "=", tokenHash).execute();
}

/** Ends every session of a user ("sign out everywhere", an admin's revoke, a password change, disabling). */
export async function deleteUserSessions(db: Db, userId: string): Promise<number> {
  const result = await db.deleteFrom("sessions").where("user_id", "=", userId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function deleteExpiredSessions(db: Db, now: Date): Promise<void> {
  await db.deleteFrom("sessions").where("expires_at", "<=", now.toISOString()).execute();
}

/** A setup link is valid for an hour. */
export const SETUP_TOKEN_TTL_MS = 60 * 60_000;

export interface SetupTokenInfo {
  createdAt: string;
  expiresAt: string;
}

/**
 * Makes the one setup token (its hash is stored, with an expiry) and returns it, unless a valid one exists: then
 * nothing changes and undefined comes back (a second instance starting at the same time keeps the first one's
 * link). `replace` ends the current token first (the CLI's new link for someone who lost theirs).
 */
export async function issueSetupToken(db: Db, now: Date, options: { replace?: boolean } = {}): Promise<{ token: string; expiresAt: string } | undefined> {
  const token = randomBytes(24).toString("base64url");
  const expiresAt = new Date(now.getTime() + SETUP_TOKEN_TTL_MS).toISOString();
  let q = db.deleteFrom("setup_tokens");
  if (!options.replace) q = q.where("expires_at", "<=", now.toISOString());
  await q.execute();
  const inserted = await db
    .insertInto("setup_tokens")
    .values({ token_hash: hashToken(token), created_at: now.toISOString(), expires_at: expiresAt, slot: 1 })
    .onConflict((oc) => oc.column("slot").doNothing())
    .executeTakeFirst();
  return Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0 ? { token, expiresAt } : undefined;
}

/** The valid setup token's times, if there is one. */
export async function currentSetupToken(db: Db, now: Date): Promise<SetupTokenInfo | undefined> {
  const row = await db.selectFrom("setup_tokens").select(["created_at", "expires_at"]).where("expires_at", ">", now.toISOString()).executeTakeFirst();
  return row && { createdAt: row.created_at, expiresAt: row.expires_at };
}

export async function isSetupToken(db: Db, token: string, now: Date): Promise<boolean> {
  const row = await db.selectFrom("setup_tokens").select("token_hash").where("token_hash", "=", hashToken(token)).where("expires_at", ">", now.toISOString()).executeTakeFirst();
  return row !== undefined;
}

/** Uses the token up: true for the one caller that removed it while valid (run it in the transaction that creates the admin). */
export async function consumeSetupToken(db: Db, token: string, now: Date): Promise<boolean> {
  const result = await db.deleteFrom("setup_tokens").where("token_hash", "=", hashToken(token)).where("expires_at", ">", now.toISOString()).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
