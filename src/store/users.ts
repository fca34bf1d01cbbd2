import type { Db } from "./db.js";
import { nowIso } from "./ids.js";

export const LOCAL_USER_ID = "local";

export interface User {
  id: string;
  email: string | null;
  name: string;
  role: "admin" | "user";
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
