import { DatabaseBlobStore } from "../attachments/blob-store.js";
import { uploadCap } from "../attachments/prepare.js";
import type { AppConfig } from "../config/resolve.js";
import { ChatError } from "../engine/errors.js";
import type { FileResolver } from "../engine/files.js";
import { readAttachment } from "../store/attachments.js";
import type { Db } from "../store/db.js";
import type { AttachmentSettings } from "./routes/attachments.js";

const MB = 1_000_000;

/**
 * The attachment caps: one upload at most ATTACHMENT_MAX_MB (30 by default) or config.json's
 * max_content_size_mb_parameter when that is smaller; 1,000 MB of files per user; 30 uploads a minute; bytes in the
 * database unless a store is given (S3).
 */
export function attachmentSettings(config: AppConfig, given: Partial<AttachmentSettings> = {}): AttachmentSettings {
  const cap = uploadCap(config, given.maxBytes ?? 30 * MB);
  return {
    maxBytes: cap.maxBytes,
    maxSetting: given.maxSetting ?? cap.setting,
    quotaBytes: given.quotaBytes ?? 1000 * MB,
    uploadsPerMinute: given.uploadsPerMinute ?? 30,
    blobs: given.blobs ?? new DatabaseBlobStore(),
  };
}

/**
 * The engine's file resolver for one user's answer: an attachment of theirs becomes its bytes, or its S3 location
 * when the profile takes S3 sources and the bytes are in S3. Another user's id resolves to nothing (an error).
 */
export function attachmentResolver(db: Db, blobs: AttachmentSettings["blobs"], ownerId: string): FileResolver {
  return async (id, options) => {
    const found = await readAttachment(db, blobs, ownerId, id);
    if (!found) throw new ChatError("internal", `A file of this conversation (${id}) no longer exists; edit the message to remove it.`);
    if (options.s3 && found.location) return { type: "s3", ...found.location };
    return { type: "bytes", data: Buffer.from(await found.bytes()).toString("base64") };
  };
}
