import { sql } from "kysely";
import type { Db } from "./db.js";
import { normalizeEmail } from "./users.js";

/** Five attempts within 15 minutes; the fifth locks the key for 15 minutes (unless it succeeds). */
export const LOCKOUT = { attempts: 5, windowMs: 15 * 60_000, lockMs: 15 * 60_000 };

/** The attempts key of a sign-in: the normalized email, whether or not an account has it. */
export const signInKey = (email: string) => `email:${normalizeEmail(email)}`;
/** The attempts key of a password change: the account. */
export const passwordChangeKey = (userId: string) => `password:${userId}`;

export interface AttemptClaim {
  /** The attempt may be checked: it is one of the first `LOCKOUT.attempts` of its window. */
  allowed: boolean;
  /** When the key is (or, should this attempt fail, will stay) locked; null while under the limit. */
  lockedUntil: Date | null;
}

/**
 * Claims one attempt for `key`, in one atomic statement, before anything is checked: parallel attempts each
 * count (the database serializes the upsert), so at most `LOCKOUT.attempts` of them are ever checked per window.
 * A window or lock that has run out starts over. A successful attempt clears the key (`clearAttempts`).
 */
export async function claimAttempt(db: Db, key: string, now: Date): Promise<AttemptClaim> {
  const at = now.toISOString();
  const windowStart = new Date(now.getTime() - LOCKOUT.windowMs).toISOString();
  const lockEnd = new Date(now.getTime() + LOCKOUT.lockMs).toISOString();
  const expired = sql`((login_attempts.locked_until IS NOT NULL AND login_attempts.locked_until <= ${at}) OR (login_attempts.locked_until IS NULL AND login_attempts.window_started_at <= ${windowStart}))`;
  const result = await sql<{ attempts: number | string; locked_until: string | null }>`
    INSERT INTO login_attempts (key, attempts, window_started_at, locked_until)
    VALUES (${key}, 1, ${at}, ${LOCKOUT.attempts <= 1 ? lockEnd : null})
    ON CONFLICT (key) DO UPDATE SET
      attempts = CASE WHEN ${expired} THEN 1 ELSE login_attempts.attempts + 1 END,
      window_started_at = CASE WHEN ${expired} THEN ${at} ELSE login_attempts.window_started_at END,
      locked_until = CASE
        WHEN ${expired} THEN NULL
        WHEN login_attempts.locked_until IS NOT NULL THEN login_attempts.locked_until
        WHEN login_attempts.attempts + 1 >= ${LOCKOUT.attempts} THEN ${lockEnd}
        ELSE NULL END
    RETURNING attempts, locked_until`.execute(db);
  const row = result.rows[0]!;
  return { allowed: Number(row.attempts) <= LOCKOUT.attempts, lockedUntil: row.locked_until ? new Date(row.locked_until) : null };
}

/** A successful attempt (or an admin's password reset) forgets the key's failures and lock. */
export async function clearAttempts(db: Db, keys: readonly string[]): Promise<void> {
  if (keys.length) await db.deleteFrom("login_attempts").where("key", "in", keys).execute();
}

/** When `key` is locked, if it is now. */
export async function lockedUntil(db: Db, key: string, now: Date): Promise<Date | null> {
  const row = await db.selectFrom("login_attempts").select("locked_until").where("key", "=", key).executeTakeFirst();
  return row?.locked_until && Date.parse(row.locked_until) > now.getTime() ? new Date(row.locked_until) : null;
}

/** Removes rows whose window and lock have both run out (they would start over anyway). */
export async function sweepAttempts(db: Db, now: Date): Promise<void> {
  const windowStart = new Date(now.getTime() - LOCKOUT.windowMs).toISOString();
  await db
    .deleteFrom("login_attempts")
    .where((eb) => eb.or([eb("locked_until", "<=", now.toISOString()), eb.and([eb("locked_until", "is", null), eb("window_started_at", "<=", windowStart)])]))
    .execute();
}
