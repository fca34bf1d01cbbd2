import { preferencesSchema } from "../server/schemas.js";
import { DEFAULT_PREFERENCES, type Preferences, type PreferencesPatch } from "../shared/preferences.js";
import type { Db } from "./db.js";

/** Stored preferences read leniently: a value that no longer fits the schema falls back to its default. */
export function readPreferences(stored: unknown): Preferences {
  const out: Preferences = { ...DEFAULT_PREFERENCES };
  if (!stored || typeof stored !== "object") return out;
  for (const key of Object.keys(DEFAULT_PREFERENCES) as (keyof Preferences)[]) {
    const parsed = preferencesSchema.shape[key].safeParse((stored as Record<string, unknown>)[key]);
    if (parsed.success) (out as unknown as Record<string, unknown>)[key] = parsed.data;
  }
  return out;
}

export async function getPreferences(db: Db, userId: string): Promise<Preferences> {
  const row = await db.selectFrom("user_preferences").select("data").where("user_id", "=", userId).executeTakeFirst();
  return readPreferences(row ? JSON.parse(row.data) : undefined);
}

/** Applies a change and returns the preferences after it (one upsert; the last writer of a key wins). */
export async function updatePreferences(db: Db, userId: string, patch: PreferencesPatch, now = new Date()): Promise<Preferences> {
  return db.transaction().execute(async (tx) => {
    const next = { ...(await getPreferences(tx, userId)) };
    for (const [key, value] of Object.entries(patch) as [keyof Preferences, never][]) if (value !== undefined) next[key] = value;
    const data = JSON.stringify(next);
    await tx
      .insertInto("user_preferences")
      .values({ user_id: userId, data, updated_at: now.toISOString() })
      .onConflict((oc) => oc.column("user_id").doUpdateSet({ data, updated_at: now.toISOString() }))
      .execute();
    return next;
  });
}
