import { z } from "zod";
import type { Db } from "../store/db.js";
import { isUniqueViolation } from "../store/errors.js";
import { claimAttempt, clearAttempts, passwordChangeKey, signInKey, type AttemptClaim } from "../store/login-attempts.js";
import { deleteUserSessions } from "../store/sessions.js";
import { createUser, DuplicateEmailError, findOidcUser, findUserRowByEmail, hasAdmin, normalizeEmail, recordLoginSuccess, refreshOidcUser, setPasswordHash, type AccountRole, type User } from "../store/users.js";
import { decoyHash, hashPassword, passwordProblem, verifyPassword } from "./passwords.js";

/** A refusal with a code for the API and words for the form. */
export class AccountError extends Error {
  override readonly name = "AccountError";
  constructor(
    readonly code: "invalid_email" | "weak_password" | "duplicate_email" | "invalid_credentials" | "locked" | "disabled" | "no_password" | "invalid_setup_token",
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const emailSchema = z.email();

/** Emails and other identifiers are refused with a NUL character (free text has it stripped instead). */
export const NUL_IN_EMAIL = "The email contains a NUL character (\\u0000), which no address has. Type it again without it.";

export function checkEmail(email: string): string {
  if (email.includes("\u0000")) throw new AccountError("invalid_email", NUL_IN_EMAIL);
  const normalized = normalizeEmail(email);
  if (!emailSchema.safeParse(normalized).success) throw new AccountError("invalid_email", `"${email}" is not an email address. Type it as name@example.com.`);
  return normalized;
}

/** A password account ready to store: the email checked and normalized, the password strong enough and hashed. */
export interface NewPasswordAccount {
  email: string;
  passwordHash: string;
  role: AccountRole;
  name?: string;
}

/** Checks the email and the password's strength and hashes the password (the slow part, done before any write). */
export async function preparePasswordAccount(input: { email: string; password: string; role: AccountRole; name?: string }): Promise<NewPasswordAccount> {
  const email = checkEmail(input.email);
  const problem = passwordProblem(input.password, email);
  if (problem) throw new AccountError("weak_password", problem);
  return { email, role: input.role, passwordHash: await hashPassword(input.password), ...(input.name ? { name: input.name } : {}) };
}

/** Stores a prepared account; a taken email (also when a parallel request took it first) is 409. */
export async function storePasswordAccount(db: Db, account: NewPasswordAccount): Promise<User> {
  try {
    return await createUser(db, account);
  } catch (error) {
    if (error instanceof DuplicateEmailError || isUniqueViolation(error)) throw new AccountError("duplicate_email", `An account for ${account.email} already exists.`, 409);
    throw error;
  }
}

/** Creates a password account after checking the email and the password's strength. */
export async function createPasswordAccount(db: Db, input: { email: string; password: string; role: AccountRole; name?: string }): Promise<User> {
  const account = await preparePasswordAccount(input);
  if (await findUserRowByEmail(db, account.email)) throw new AccountError("duplicate_email", `An account for ${account.email} already exists.`, 409);
  return storePasswordAccount(db, account);
}

function lockedError(claim: AttemptClaim, now: Date, what: string): AccountError {
  const minutes = Math.max(1, Math.ceil(((claim.lockedUntil?.getTime() ?? now.getTime()) - now.getTime()) / 60_000));
  return new AccountError("locked", `${what}: locked for ${minutes} more minute${minutes === 1 ? "" : "s"}. Try again later, or ask an administrator to reset the password.`, 429);
}

export interface CheckOptions {
  /** The password check (the real scrypt check; tests wrap it to count how many attempts reach it). */
  verify?: (password: string, hash: string) => Promise<boolean>;
}

/**
 * Checks an email and password. Each attempt is claimed first, atomically, under the normalized email (known or
 * unknown alike): five within 15 minutes lock that email for 15 minutes, and a claim beyond the limit is refused
 * without checking anything, so parallel attempts cannot check more than five passwords. An unknown email takes
 * as long as a wrong password and is answered the same, locked or not. Success clears the count.
 */
export async function authenticate(db: Db, email: string, password: string, now: Date, options: CheckOptions = {}): Promise<User> {
  if (email.includes("\u0000")) throw new AccountError("invalid_email", NUL_IN_EMAIL);
  const verify = options.verify ?? verifyPassword;
  const key = signInKey(email);
  const claim = await claimAttempt(db, key, now);
  const lockedText = "Too many failed sign-ins for this email";
  if (!claim.allowed) throw lockedError(claim, now, lockedText);
  const row = await findUserRowByEmail(db, email);
  const right = await verify(password, row?.password_hash ?? (await decoyHash()));
  if (!row?.password_hash || !right) {
    if (claim.lockedUntil) throw lockedError(claim, now, lockedText);
    throw new AccountError("invalid_credentials", "The email or password is not right. Check them and try again.", 401);
  }
  await clearAttempts(db, [key]);
  if (row.disabled === 1) throw new AccountError("disabled", "This account is disabled. Ask an administrator to enable it.", 403);
  await recordLoginSuccess(db, row.id, now);
  return { id: row.id, email: row.email, name: row.name, role: row.role };
}

/**
 * Checks the current password of a signed-in user before a change, with the same attempt claiming as sign-in (a
 * stolen session cannot try passwords without limit).
 */
export async function checkCurrentPassword(db: Db, user: { id: string; email: string | null }, password: string, now: Date, options: CheckOptions = {}): Promise<void> {
  const row = user.email ? await findUserRowByEmail(db, user.email) : undefined;
  if (!row?.password_hash) throw new AccountError("no_password", "This account signs in without a password.");
  const key = passwordChangeKey(row.id);
  const claim = await claimAttempt(db, key, now);
  const lockedText = "Too many wrong current passwords";
  if (!claim.allowed) throw lockedError(claim, now, lockedText);
  if (!(await (options.verify ?? verifyPassword)(password, row.password_hash))) {
    if (claim.lockedUntil) throw lockedError(claim, now, lockedText);
    throw new AccountError("invalid_credentials", "The current password is not right. Type it again.");
  }
  await clearAttempts(db, [key]);
}

/** Sets a new password (after the strength check) and ends every session of the account. */
export async function resetPassword(db: Db, userId: string, email: string | null, password: string): Promise<void> {
  const problem = passwordProblem(password, email ?? undefined);
  if (problem) throw new AccountError("weak_password", problem);
  await setPasswordHash(db, userId, await hashPassword(password));
  // A new password unlocks the account (its sign-in email and its password changes).
  await clearAttempts(db, [passwordChangeKey(userId), ...(email ? [signInKey(email)] : [])]);
  await deleteUserSessions(db, userId);
}

/**
 * The account of an OpenID identity, created at first sign-in (keyed by issuer + subject). With an admin group
 * configured, the role follows the group at every sign-in; otherwise the first account becomes the admin and roles
 * are managed in the app.
 */
export async function oidcAccount(db: Db, identity: { issuer: string; subject: string; email: string | null; name: string }, isAdmin: boolean | undefined, now: Date): Promise<User> {
  const existing = await findOidcUser(db, identity.issuer, identity.subject);
  const role: AccountRole | undefined = isAdmin === undefined ? undefined : isAdmin ? "admin" : "user";
  if (existing) {
    if (existing.disabled === 1) throw new AccountError("disabled", "This account is disabled. Ask an administrator to enable it.", 403);
    const email = identity.email && identity.email !== existing.email && (await findUserRowByEmail(db, identity.email)) ? existing.email : identity.email;
    await refreshOidcUser(db, existing.id, { email, name: identity.name, ...(role ? { role } : {}) }, now);
    return { id: existing.id, email, name: identity.name, role: role ?? existing.role };
  }
  const firstRole: AccountRole = role ?? ((await hasAdmin(db)) ? "user" : "admin");
  // An email already used by another account (e.g. a local one) is not taken over: the new account keeps none.
  const email = identity.email && !(await findUserRowByEmail(db, identity.email)) ? identity.email : null;
  let user: User;
  try {
    user = await createUser(db, { email: email ?? `${identity.subject}@oidc.invalid`, name: identity.name, role: firstRole, oidc: { issuer: identity.issuer, subject: identity.subject } }, now);
  } catch (error) {
    // Two first sign-ins of one identity in parallel (two tabs): the second finds the account the first created.
    if ((error instanceof DuplicateEmailError || isUniqueViolation(error)) && (await findOidcUser(db, identity.issuer, identity.subject))) return oidcAccount(db, identity, isAdmin, now);
    throw error;
  }
  if (!email) await db.updateTable("users").set({ email: null }).where("id", "=", user.id).execute();
  await recordLoginSuccess(db, user.id, now);
  return { ...user, email };
}
