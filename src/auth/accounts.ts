import { z } from "zod";
import type { Db } from "../store/db.js";
import { deleteUserSessions } from "../store/sessions.js";
import { createUser, findOidcUser, findUserRowByEmail, hasAdmin, normalizeEmail, recordLoginFailure, recordLoginSuccess, refreshOidcUser, setPasswordHash, type Role, type User } from "../store/users.js";
import { decoyHash, hashPassword, passwordProblem, verifyPassword } from "./passwords.js";

/** A refusal with a code for the API and words for the form. */
export class AccountError extends Error {
  override readonly name = "AccountError";
  constructor(
    readonly code: "invalid_email" | "weak_password" | "duplicate_email" | "invalid_credentials" | "locked" | "disabled" | "no_password",
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const emailSchema = z.email();

export function checkEmail(email: string): string {
  const normalized = normalizeEmail(email);
  if (!emailSchema.safeParse(normalized).success) throw new AccountError("invalid_email", `"${email}" is not an email address. Type it as name@example.com.`);
  return normalized;
}

/** Creates a password account after checking the email and the password's strength. */
export async function createPasswordAccount(db: Db, input: { email: string; password: string; role: Role; name?: string }): Promise<User> {
  const email = checkEmail(input.email);
  const problem = passwordProblem(input.password, email);
  if (problem) throw new AccountError("weak_password", problem);
  if (await findUserRowByEmail(db, email)) throw new AccountError("duplicate_email", `An account for ${email} already exists.`, 409);
  return createUser(db, { email, role: input.role, passwordHash: await hashPassword(input.password), ...(input.name ? { name: input.name } : {}) });
}

/**
 * Checks an email and password. Five failures within 15 minutes lock the account for 15 minutes; the answer for
 * an unknown email takes as long as for a wrong password and says the same.
 */
export async function authenticate(db: Db, email: string, password: string, now: Date): Promise<User> {
  const row = await findUserRowByEmail(db, email);
  const invalid = new AccountError("invalid_credentials", "The email or password is not right. Check them and try again.", 401);
  if (!row?.password_hash) {
    await verifyPassword(password, await decoyHash());
    throw invalid;
  }
  if (row.locked_until && Date.parse(row.locked_until) > now.getTime()) {
    const minutes = Math.ceil((Date.parse(row.locked_until) - now.getTime()) / 60_000);
    throw new AccountError("locked", `Too many failed sign-ins: this account is locked for ${minutes} more minute${minutes === 1 ? "" : "s"}. Try again later, or ask an administrator to reset the password.`, 429);
  }
  if (!(await verifyPassword(password, row.password_hash))) {
    const { locked } = await recordLoginFailure(db, row, now);
    if (locked) throw new AccountError("locked", "Too many failed sign-ins: this account is locked for 15 minutes. Try again later, or ask an administrator to reset the password.", 429);
    throw invalid;
  }
  if (row.disabled === 1) throw new AccountError("disabled", "This account is disabled. Ask an administrator to enable it.", 403);
  await recordLoginSuccess(db, row.id, now);
  return { id: row.id, email: row.email, name: row.name, role: row.role };
}

/** Sets a new password (after the strength check) and ends every session of the account. */
export async function resetPassword(db: Db, userId: string, email: string | null, password: string): Promise<void> {
  const problem = passwordProblem(password, email ?? undefined);
  if (problem) throw new AccountError("weak_password", problem);
  await setPasswordHash(db, userId, await hashPassword(password));
  await deleteUserSessions(db, userId);
}

/**
 * The account of an OpenID identity, created at first sign-in (keyed by issuer + subject). With an admin group
 * configured, the role follows the group at every sign-in; otherwise the first account becomes the admin and roles
 * are managed in the app.
 */
export async function oidcAccount(db: Db, identity: { issuer: string; subject: string; email: string | null; name: string }, isAdmin: boolean | undefined, now: Date): Promise<User> {
  const existing = await findOidcUser(db, identity.issuer, identity.subject);
  const role: Role | undefined = isAdmin === undefined ? undefined : isAdmin ? "admin" : "user";
  if (existing) {
    if (existing.disabled === 1) throw new AccountError("disabled", "This account is disabled. Ask an administrator to enable it.", 403);
    const email = identity.email && identity.email !== existing.email && (await findUserRowByEmail(db, identity.email)) ? existing.email : identity.email;
    await refreshOidcUser(db, existing.id, { email, name: identity.name, ...(role ? { role } : {}) }, now);
    return { id: existing.id, email, name: identity.name, role: role ?? existing.role };
  }
  const firstRole: Role = role ?? ((await hasAdmin(db)) ? "user" : "admin");
  // An email already used by another account (e.g. a local one) is not taken over: the new account keeps none.
  const email = identity.email && !(await findUserRowByEmail(db, identity.email)) ? identity.email : null;
  const user = await createUser(db, { email: email ?? `${identity.subject}@oidc.invalid`, name: identity.name, role: firstRole, oidc: { issuer: identity.issuer, subject: identity.subject } }, now);
  if (!email) await db.updateTable("users").set({ email: null }).where("id", "=", user.id).execute();
  await recordLoginSuccess(db, user.id, now);
  return { ...user, email };
}
