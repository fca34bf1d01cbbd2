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

/** Records a one-time setup token (its hash) that allows creating the first admin. */
export async function addSetupToken(db: Db, now: Date): Promise<string> {
  const token = randomBytes(24).toString("base64url");
  await db.insertInto("setup_tokens").values({ token_hash: hashToken(token), created_at: now.toISOString() }).execute();
  return token;
}

export async function isSetupToken(db: Db, token: string): Promise<boolean> {
  const row = await db.selectFrom("setup_tokens").select("token_hash").where("token_hash", "=", hashToken(token)).executeTakeFirst();
  return row !== undefined;
}

export async function clearSetupTokens(db: Db): Promise<void> {
  await db.deleteFrom("setup_tokens").execute();
}
