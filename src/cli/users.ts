import { AccountError, createPasswordAccount, resetPassword } from "../auth/accounts.js";
import { databaseLocation } from "../config/database.js";
import { readServerEnv, type ServerEnv } from "../config/env.js";
import { recordAudit } from "../store/audit.js";
import { openDatabase, type Db } from "../store/db.js";
import { deleteUserSessions, issueSetupToken } from "../store/sessions.js";
import { findUserRowByEmail, hasAdmin, listAccounts, updateAccount } from "../store/users.js";
import { setupLink } from "../server/auth/setup-link.js";
import { UsageError } from "./chat-args.js";

export const USERS_HELP = `Usage: npm run --silent cli -- users <command>

Manages accounts in the app's database (DATABASE_URL or DATABASE_HOST and its fields, else the SQLite file under DATA_DIR, default ./data).
Passwords are read from standard input (the first line), never from the command line:

  users add EMAIL [--admin] [--name NAME]   create an account (password from stdin)
  users list [--json]                       list accounts
  users disable EMAIL                       disable an account and end its sessions
  users enable EMAIL                        enable it again
  users reset-password EMAIL                set a new password (from stdin) and end its sessions
  users role EMAIL admin|user               change an account's role
  users setup-link                          print a new link that creates the first admin (AUTH_MODE=local,
                                            before an admin exists; it replaces the last one, valid for an hour)

Example: printf '%s\\n' 'a long passphrase' | npm run --silent cli -- users add ana@example.com --admin`;

interface Io {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

async function readPassword(io: Io): Promise<string> {
  if (io.stdin.isTTY) io.stderr.write("Password (then Enter, Ctrl-D): ");
  let text = "";
  for await (const chunk of io.stdin) text += chunk.toString();
  const password = text.split(/\r?\n/)[0] ?? "";
  if (!password) throw new UsageError("no password on standard input: pipe it in, e.g. printf '%s\\n' 'a long passphrase' | npm run --silent cli -- users add EMAIL");
  return password;
}

async function accountOf(db: Db, email: string | undefined) {
  if (!email) throw new UsageError(`an EMAIL is required\n${USERS_HELP}`);
  const row = await findUserRowByEmail(db, email);
  if (!row) throw new AccountError("invalid_email", `there is no account for ${email}; "users list" shows the accounts`);
  return row;
}

/** `users ...`: account administration from a shell. Exit codes: 0 done, 1 refused, 2 usage error. */
export async function usersCommand(argv: string[], io: Io): Promise<number> {
  const [sub, ...args] = argv;
  if (sub === undefined || sub === "--help" || sub === "-h" || sub === "help") {
    io.stdout.write(`${USERS_HELP}\n`);
    return sub === undefined ? 2 : 0;
  }
  const env = readServerEnv();
  const db = await openDatabase(databaseLocation(env));
  try {
    return await run(db, sub, args, io, env);
  } catch (error) {
    if (error instanceof AccountError) {
      io.stderr.write(`error: ${error.message}\n`);
      return 1;
    }
    throw error;
  } finally {
    await db.destroy();
  }
}

async function run(db: Db, sub: string, args: string[], io: Io, env: ServerEnv): Promise<number> {
  const positional = args.filter((a, i) => !a.startsWith("--") && args[i - 1] !== "--name");
  const email = positional[0];
  switch (sub) {
    case "add": {
      if (!email) throw new UsageError(`users add needs an EMAIL\n${USERS_HELP}`);
      const nameAt = args.indexOf("--name");
      const user = await createPasswordAccount(db, { email, password: await readPassword(io), role: args.includes("--admin") ? "admin" : "user", ...(nameAt >= 0 && args[nameAt + 1] ? { name: args[nameAt + 1]! } : {}) });
      await recordAudit(db, { actorId: null, action: "user.created", targetId: user.id, detail: { role: user.role, via: "cli" } });
      io.stdout.write(`created ${user.email} (${user.role})\n`);
      return 0;
    }
    case "list": {
      const accounts = await listAccounts(db);
      if (args.includes("--json")) {
        io.stdout.write(`${JSON.stringify(accounts)}\n`);
        return 0;
      }
      if (accounts.length === 0) io.stdout.write("no accounts yet\n");
      for (const a of accounts) io.stdout.write(`${a.email ?? "(no email)"}\t${a.role}\t${a.disabled ? "disabled" : "enabled"}\t${a.signIn}\tlast sign-in ${a.lastLoginAt ?? "never"}\n`);
      return 0;
    }
    case "disable":
    case "enable": {
      const row = await accountOf(db, email);
      await updateAccount(db, row.id, { disabled: sub === "disable" });
      if (sub === "disable") await deleteUserSessions(db, row.id);
      await recordAudit(db, { actorId: null, action: "user.updated", targetId: row.id, detail: { disabled: sub === "disable", via: "cli" } });
      io.stdout.write(`${sub}d ${row.email}\n`);
      return 0;
    }
    case "reset-password": {
      const row = await accountOf(db, email);
      await resetPassword(db, row.id, row.email, await readPassword(io));
      await recordAudit(db, { actorId: null, action: "user.password_reset", targetId: row.id, detail: { via: "cli" } });
      io.stdout.write(`new password set for ${row.email}; its sessions have ended\n`);
      return 0;
    }
    case "role": {
      const role = positional[1];
      if (role !== "admin" && role !== "user") throw new UsageError(`users role needs EMAIL and admin or user\n${USERS_HELP}`);
      const row = await accountOf(db, email);
      await updateAccount(db, row.id, { role });
      await recordAudit(db, { actorId: null, action: "user.updated", targetId: row.id, detail: { role, via: "cli" } });
      io.stdout.write(`${row.email} is now ${role}\n`);
      return 0;
    }
    case "setup-link": {
      if (await hasAdmin(db)) throw new AccountError("invalid_setup_token", 'an admin account already exists, so there is nothing to set up: sign in, or set a new password with "users reset-password EMAIL"');
      const issued = await issueSetupToken(db, new Date(), { replace: true });
      if (!issued) throw new AccountError("invalid_setup_token", "another setup link was made at the same moment; run the command again");
      await recordAudit(db, { actorId: null, action: "setup.link_issued", detail: { via: "cli" } });
      const base = env.PUBLIC_URL ?? `http://localhost:${env.PORT}`;
      io.stdout.write(`${setupLink(base, issued.token)}\n(valid until ${issued.expiresAt}; earlier links no longer work)\n`);
      return 0;
    }
    default:
      throw new UsageError(`unknown users command "${sub}"\n${USERS_HELP}`);
  }
}
