import type { Db } from "../../store/db.js";
import { currentSetupToken, issueSetupToken } from "../../store/sessions.js";
import { hasAdmin } from "../../store/users.js";

/** The page that creates the first admin account. */
export function setupLink(base: string, token: string): string {
  return `${base.replace(/\/+$/, "")}/setup?token=${encodeURIComponent(token)}`;
}

export const NEW_SETUP_LINK_COMMAND = "npm run --silent cli -- users setup-link";

/**
 * At start in local mode with no admin yet: makes a setup token and logs its link, unless a valid one exists (an
 * earlier start's, or another instance's starting at the same time), which is then named instead of replaced.
 * Returns the token made by this start, if any.
 */
export async function announceSetup(db: Db, now: Date, base: string, log: { warn(message: string): void }): Promise<string | undefined> {
  if (await hasAdmin(db)) return undefined;
  const issued = await issueSetupToken(db, now);
  if (issued) {
    log.warn(`No admin account yet. Create it at ${setupLink(base, issued.token)} (a one-time link, valid until ${issued.expiresAt}; \`${NEW_SETUP_LINK_COMMAND}\` prints a new one).`);
    return issued.token;
  }
  const current = await currentSetupToken(db, now);
  log.warn(
    `No admin account yet. The setup link printed at ${current?.createdAt ?? "an earlier start"} (by this or another instance) is valid until ${current?.expiresAt ?? "it expires"}; \`${NEW_SETUP_LINK_COMMAND}\` prints a new one.`,
  );
  return undefined;
}
