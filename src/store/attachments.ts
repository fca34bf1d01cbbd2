import { createHash } from "node:crypto";
import type { Selectable } from "kysely";
import type { BlobStore } from "../attachments/blob-store.js";
import type { AttachmentInfo } from "../shared/api.js";
import { formatSize } from "../shared/sizes.js";
import type { Db } from "./db.js";
import { isId, newId } from "./ids.js";
import type { AttachmentsTable } from "./schema.js";

/** A file that does not fit the owner's storage quota. */
export class QuotaError extends Error {
  override readonly name = "QuotaError";
  constructor(
    readonly usedBytes: number,
    readonly quotaBytes: number,
    message: string,
  ) {
    super(message);
  }
}

export interface NewUpload {
  ownerId: string;
  bytes: Uint8Array;
  fileName: string;
  modelName: string;
  kind: "image" | "document";
  format: string;
  width: number | null;
  height: number | null;
  notice: string | null;
  /** The owner's storage quota in bytes; null: none. */
  quotaBytes: number | null;
}


export function toAttachmentInfo(row: Selectable<AttachmentsTable>): AttachmentInfo {
  return {
    id: row.id,
    fileName: row.file_name,
    kind: row.kind,
    format: row.format,
    size: row.size,
    width: row.width,
    height: row.height,
    notice: row.notice,
    sent: row.message_id !== null,
    url: `/api/attachments/${row.id}`,
  };
}

/**
 * Stores an upload: the bytes once per owner and content (a second upload of the same bytes reuses the blob), then
 * the attachment, in one transaction; the quota counts each blob once.
 */
export async function saveUpload(db: Db, blobs: BlobStore, upload: NewUpload, now = new Date()): Promise<AttachmentInfo> {
  const sha256 = createHash("sha256").update(upload.bytes).digest("hex");
  return db.transaction().execute(async (tx) => {
    let blob = await tx.selectFrom("blobs").select(["id"]).where("owner_id", "=", upload.ownerId).where("sha256", "=", sha256).executeTakeFirst();
    if (!blob) {
      if (upload.quotaBytes !== null) {
        const used = await storageUsed(tx, upload.ownerId);
        if (used + upload.bytes.length > upload.quotaBytes) {
          throw new QuotaError(used, upload.quotaBytes, `${upload.fileName} (${formatSize(upload.bytes.length)}) does not fit: your files use ${formatSize(used)} of your ${formatSize(upload.quotaBytes)} (ATTACHMENT_QUOTA_MB). Delete chats with files you no longer need, or ask an administrator for more.`);
        }
      }
      const id = newId();
      const stored = await blobs.write(upload.ownerId, id, upload.bytes);
      await tx.insertInto("blobs").values({ id, owner_id: upload.ownerId, sha256, size: upload.bytes.length, bytes: stored.bytes, s3_key: stored.s3Key, created_at: now.toISOString() }).execute();
      blob = { id };
    }
    const row = {
      id: newId(),
      owner_id: upload.ownerId,
      blob_id: blob.id,
      thread_id: null,
      message_id: null,
      file_name: upload.fileName,
      model_name: upload.modelName,
      kind: upload.kind,
      format: upload.format,
      size: upload.bytes.length,
      width: upload.width,
      height: upload.height,
      notice: upload.notice,
      created_at: now.toISOString(),
    };
    await tx.insertInto("attachments").values(row).execute();
    return toAttachmentInfo(row);
  });
}

/** Bytes the owner's files take (each blob once). */
export async function storageUsed(db: Db, ownerId: string): Promise<number> {
  const row = await db.selectFrom("blobs").select((eb) => eb.fn.sum<string | number>("size").as("total")).where("owner_id", "=", ownerId).executeTakeFirst();
  return Number(row?.total ?? 0);
}

/** Bytes each user's files take, for the admin pages. */
export async function storageByUser(db: Db): Promise<Map<string, number>> {
  const rows = await db.selectFrom("blobs").select(["owner_id", (eb) => eb.fn.sum<string | number>("size").as("total")]).groupBy("owner_id").execute();
  return new Map(rows.map((r) => [r.owner_id, Number(r.total)]));
}

export async function getAttachment(db: Db, ownerId: string, id: string): Promise<Selectable<AttachmentsTable> | undefined> {
  if (!isId(id)) return undefined;
  return db.selectFrom("attachments").selectAll().where("id", "=", id).where("owner_id", "=", ownerId).executeTakeFirst();
}

export async function getAttachments(db: Db, ownerId: string, ids: readonly string[]): Promise<Selectable<AttachmentsTable>[]> {
  const valid = ids.filter(isId);
  if (valid.length === 0) return [];
  return db.selectFrom("attachments").selectAll().where("owner_id", "=", ownerId).where("id", "in", valid).execute();
}

/** An attachment's bytes (or S3 location), for its owner. */
export async function readAttachment(db: Db, blobs: BlobStore, ownerId: string, id: string): Promise<{ row: Selectable<AttachmentsTable>; bytes: () => Promise<Uint8Array>; location: { uri: string; bucketOwner?: string } | undefined } | undefined> {
  const row = await getAttachment(db, ownerId, id);
  if (!row) return undefined;
  const blob = await db.selectFrom("blobs").select(["bytes", "s3_key"]).where("id", "=", row.blob_id).executeTakeFirstOrThrow();
  return { row, bytes: () => blobs.read(blob), location: blobs.location(blob) };
}

export async function listThreadAttachments(db: Db, ownerId: string, threadId: string): Promise<AttachmentInfo[]> {
  const rows = await db.selectFrom("attachments").selectAll().where("owner_id", "=", ownerId).where("thread_id", "=", threadId).orderBy("created_at").orderBy("id").execute();
  return rows.map(toAttachmentInfo);
}

/**
 * Links the attachments a question refers to with its thread and message (the first message that sent them), in
 * the transaction that stores the question. Files already sent in this thread (an edit keeps them) stay as they are.
 */
export async function linkAttachments(tx: Db, blobs: BlobStore, link: { ownerId: string; threadId: string; messageId: string; ids: readonly string[] }): Promise<void> {
  if (link.ids.length === 0) return;
  const pending = await tx.selectFrom("attachments").select(["id", "blob_id"]).where("owner_id", "=", link.ownerId).where("id", "in", [...link.ids]).where("message_id", "is", null).execute();
  if (pending.length === 0) return;
  await tx.updateTable("attachments").set({ thread_id: link.threadId, message_id: link.messageId }).where("id", "in", pending.map((p) => p.id)).execute();
  const rows = await tx.selectFrom("blobs").select(["s3_key"]).where("id", "in", pending.map((p) => p.blob_id)).execute();
  for (const blob of rows) await blobs.markSent(blob);
}

/** Removes an upload not yet sent (the composer's Remove); a sent file goes only with its chat. */
export async function deletePendingAttachment(db: Db, blobs: BlobStore, ownerId: string, id: string): Promise<"deleted" | "sent" | "not_found"> {
  const row = await getAttachment(db, ownerId, id);
  if (!row) return "not_found";
  if (row.message_id !== null) return "sent";
  await db.deleteFrom("attachments").where("id", "=", id).where("owner_id", "=", ownerId).where("message_id", "is", null).execute();
  await removeUnreferencedBlobs(db, blobs, ownerId);
  return "deleted";
}

/** Removes the attachments of a deleted thread, then the bytes nothing references any more. */
export async function deleteThreadAttachments(db: Db, blobs: BlobStore, ownerId: string, threadId: string): Promise<void> {
  await db.deleteFrom("attachments").where("owner_id", "=", ownerId).where("thread_id", "=", threadId).execute();
  await removeUnreferencedBlobs(db, blobs, ownerId);
}

/** Uploads never sent within a day are removed, and the bytes nothing references. */
export async function sweepPendingAttachments(db: Db, blobs: BlobStore, now: Date): Promise<number> {
  const before = new Date(now.getTime() - 24 * 60 * 60_000).toISOString();
  const result = await db.deleteFrom("attachments").where("message_id", "is", null).where("created_at", "<", before).executeTakeFirst();
  await removeUnreferencedBlobs(db, blobs);
  return Number(result.numDeletedRows);
}

async function removeUnreferencedBlobs(db: Db, blobs: BlobStore, ownerId?: string): Promise<void> {
  let q = db.selectFrom("blobs").select(["id", "s3_key"]).where((eb) => eb.not(eb.exists(eb.selectFrom("attachments").select("attachments.id").whereRef("attachments.blob_id", "=", "blobs.id"))));
  if (ownerId) q = q.where("owner_id", "=", ownerId);
  for (const blob of await q.execute()) {
    await blobs.remove(blob);
    await db.deleteFrom("blobs").where("id", "=", blob.id).execute();
  }
}
