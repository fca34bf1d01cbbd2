import type { AuditEntry } from "../shared/accounts.js";
import type { Db } from "./db.js";
import { newId } from "./ids.js";

export type { AuditEntry };

/** Records an admin action (who, what, on whom); never passwords or tokens. */
export async function recordAudit(db: Db, entry: { actorId: string | null; action: string; targetId?: string | null; detail?: Record<string, unknown> }, now = new Date()): Promise<void> {
  await db
    .insertInto("audit_log")
    .values({ id: newId(now.getTime()), actor_id: entry.actorId, action: entry.action, target_id: entry.targetId ?? null, detail: entry.detail ? JSON.stringify(entry.detail) : null, created_at: now.toISOString() })
    .execute();
}

/** Newest first. */
export async function listAudit(db: Db, limit = 200): Promise<AuditEntry[]> {
  const rows = await db
    .selectFrom("audit_log")
    .leftJoin("users as actor", "actor.id", "audit_log.actor_id")
    .leftJoin("users as target", "target.id", "audit_log.target_id")
    .select(["audit_log.id", "audit_log.actor_id", "actor.email as actor_email", "audit_log.action", "audit_log.target_id", "target.email as target_email", "audit_log.detail", "audit_log.created_at"])
    .orderBy("audit_log.created_at", "desc")
    .orderBy("audit_log.id", "desc")
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    actorId: r.actor_id,
    actorEmail: r.actor_email,
    action: r.action,
    targetId: r.target_id,
    targetEmail: r.target_email,
    detail: r.detail ? (JSON.parse(r.detail) as Record<string, unknown>) : null,
    createdAt: r.created_at,
  }));
}
