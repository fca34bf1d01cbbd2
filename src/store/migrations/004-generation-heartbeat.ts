import type { Kysely } from "kysely";

/**
 * Running generations report liveness: with several instances on one database, a generation is orphaned (its
 * process died) only when its heartbeat is old, not merely because another instance started.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("generations").addColumn("heartbeat_at", "text").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("generations").dropColumn("heartbeat_at").execute();
}
