import { sql, type Selectable } from "kysely";
import type { Db } from "./db.js";
import { isUniqueViolation } from "./errors.js";
import { isId, newId, nowIso } from "./ids.js";
import type { Account, AccountRole, User } from "../shared/accounts.js";
import type { UsersTable } from "./schema.js";

export const LOCAL_USER_ID = "local";

export type { Account, AccountRole, User };

export function toUser(row: Pick<Selectable<UsersTable>, "id" | "email" | "name" | "role">): User {
  return { id: row.id, email: row.email, name: row.name, role: row.role };
}

/** A users row with the lock of its sign-in attempts (from login_attempts). */
type AccountRow = Selectable<UsersTable> & { attempts_locked_until: string | null };

export function toAccount(row: AccountRow): Account {
  return {
    ...toUser(row),
    disabled: row.disabled === 1,
    createdAt: row.created_at,
    lastLoginAt: row.last_login_at,
    signIn: row.password_hash ? "password" : row.oidc_subject ? "oidc" : "none",
    monthlyCap: row.monthly_cap,
    ratePerMinute: row.rate_per_minute,
    lockedUntil: row.attempts_locked_until,
  };
}

/** Emails are compared case-insensitively: stored trimmed and lower-cased. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** The single user of `none` sign-in mode (a laptop): created once, an admin. */
export async function ensureLocalUser(db: Db): Promise<User> {
  await db
    .insertInto("users")
    .values({ id: LOCAL_USER_ID, email: null, name: "Local user", role: "admin", created_at: nowIso() })
    .onConflict((oc) => oc.column("id").doNothing())
    .execute();
  return { id: LOCAL_USER_ID, email: null, name: "Local user", role: "admin" };
}

export class DuplicateEmailError extends Error {
  override readonly name = "DuplicateEmailError";
}

/**
 * Creates an account. DuplicateEmailError when the email is taken, also when a parallel request takes it between
 * the check and the insert (the unique index decides).
 */
export async function createUser(db: Db, input: { email: string; name?: string; role: AccountRole; passwordHash?: string | null; oidc?: { issuer: string; subject: string } }, now = new Date()): Promise<User> {
  const email = normalizeEmail(input.email);
  const duplicate = () => new DuplicateEmailError(`An account for ${email} already exists.`);
  const existing = await db.selectFrom("users").select("id").where("email", "=", email).executeTakeFirst();
  if (existing) throw duplicate();
  const row = {
    id: newId(),
    email,
    name: input.name?.trim() || email.split("@")[0] || email,
    role: input.role,
    created_at: nowIso(() => now),
    password_hash: input.passwordHash ?? null,
    oidc_issuer: input.oidc?.issuer ?? null,
    oidc_subject: input.oidc?.subject ?? null,
  };
  try {
    await db.insertInto("users").values(row).execute();
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicate();
    throw error;
  }
  return toUser(row);
}

/** Users with the lock of their sign-in attempts. */
function accounts(db: Db) {
  return db
    .selectFrom("users")
    .leftJoin("login_attempts", (join) => join.on(sql<boolean>`login_attempts.key = 'email:' || users.email`))
    .selectAll("users")
    .select("login_attempts.locked_until as attempts_locked_until");
}

export async function getAccount(db: Db, id: string): Promise<Account | undefined> {
  if (!isId(id) && id !== LOCAL_USER_ID) return undefined;
  const row = await accounts(db).where("users.id", "=", id).executeTakeFirst();
  return row && toAccount(row);
}

export async function findUserRowByEmail(db: Db, email: string): Promise<Selectable<UsersTable> | undefined> {
  return db.selectFrom("users").selectAll().where("email", "=", normalizeEmail(email)).executeTakeFirst();
}

export async function listAccounts(db: Db): Promise<Account[]> {
  const rows = await accounts(db).where("users.id", "!=", LOCAL_USER_ID).orderBy("users.created_at").orderBy("users.id").execute();
  return rows.map(toAccount);
}

/** Whether any admin who can sign in exists (the first-run setup is open until one does). */
export async function hasAdmin(db: Db): Promise<boolean> {
  const row = await db.selectFrom("users").select("id").where("role", "=", "admin").where("id", "!=", LOCAL_USER_ID).where("disabled", "=", 0).executeTakeFirst();
  return row !== undefined;
}

/** A change to an account; absent (or undefined) fields stay as they are. */
export interface AccountPatch {
  disabled?: boolean | undefined;
  role?: AccountRole | undefined;
  name?: string | undefined;
  monthlyCap?: string | null | undefined;
  ratePerMinute?: number | null | undefined;
}

export async function updateAccount(db: Db, id: string, patch: AccountPatch): Promise<Account | undefined> {
  const set = {
    ...(patch.disabled !== undefined ? { disabled: patch.disabled ? 1 : 0 } : {}),
    ...(patch.role !== undefined ? { role: patch.role } : {}),
    ...(patch.name !== undefined ? { name: patch.name } : {}),
    ...(patch.monthlyCap !== undefined ? { monthly_cap: patch.monthlyCap } : {}),
    ...(patch.ratePerMinute !== undefined ? { rate_per_minute: patch.ratePerMinute } : {}),
  };
  if (Object.keys(set).length) await db.updateTable("users").set(set).where("id", "=", id).where("id", "!=", LOCAL_USER_ID).execute();
  return getAccount(db, id);
}

export async function setPasswordHash(db: Db, id: string, passwordHash: string): Promise<void> {
  await db.updateTable("users").set({ password_hash: passwordHash }).where("id", "=", id).execute();
}

/** The account behind an OpenID identity (issuer + subject). */
export async function findOidcUser(db: Db, issuer: string, subject: string): Promise<Selectable<UsersTable> | undefined> {
  return db.selectFrom("users").selectAll().where("oidc_issuer", "=", issuer).where("oidc_subject", "=", subject).executeTakeFirst();
}

/** Updates what the provider says of an OpenID user at each sign-in (email, name, admin group). */
export async function refreshOidcUser(db: Db, id: string, claims: { email: string | null; name: string; role?: AccountRole }, now: Date): Promise<void> {
  await db
    .updateTable("users")
    .set({ email: claims.email, name: claims.name, last_login_at: now.toISOString(), ...(claims.role ? { role: claims.role } : {}) })
    .where("id", "=", id)
    .execute();
}

export async function recordLoginSuccess(db: Db, id: string, now: Date): Promise<void> {
  await db.updateTable("users").set({ last_login_at: now.toISOString() }).where("id", "=", id).execute();
}
