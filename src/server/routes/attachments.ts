import multipart from "@fastify/multipart";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { mimeOf } from "../../attachments/detect.js";
import type { BlobStore } from "../../attachments/blob-store.js";
import { AttachmentError, formatSize, prepareFile } from "../../attachments/prepare.js";
import { readUpload, UploadTooLargeError } from "../read-upload.js";
import type { DocumentFormat, ImageFormat } from "../../shared/parts.js";
import { stripNul } from "../../shared/text.js";
import { deletePendingAttachment, QuotaError, readAttachment, saveUpload } from "../../store/attachments.js";
import type { Db } from "../../store/db.js";
import { HttpError, notFound } from "../http-errors.js";
import { idParams } from "../schemas.js";

export interface AttachmentSettings {
  /** The largest upload in bytes (the smaller of ATTACHMENT_MAX_MB and max_content_size_mb_parameter). */
  maxBytes: number;
  /** Which setting sets `maxBytes`, named in the error. */
  maxSetting: string;
  /** Storage per user in bytes. */
  quotaBytes: number;
  uploadsPerMinute: number;
  blobs: BlobStore;
}

interface AttachmentRouteOptions {
  db: Db;
  settings: AttachmentSettings;
  /** Time source of upload times (pending uploads expire a day after). */
  clock: () => Date;
}

/**
 * Uploads (multipart, streamed and cut off at the cap, never buffered past it) and downloads of attachments.
 * A download is for its owner only; documents are always downloads (never rendered: no HTML from an upload runs),
 * images are shown inline with their real image type.
 */
export const attachmentRoutes: FastifyPluginAsyncZod<AttachmentRouteOptions> = async (app, { db, settings, clock }) => {
  await app.register(multipart, { limits: { fileSize: settings.maxBytes, files: 1, fields: 0, parts: 2 } });

  app.post(
    "/api/attachments",
    {
      schema: { tags: ["attachments"], consumes: ["multipart/form-data"] },
      config: {
        rateLimit: {
          max: settings.uploadsPerMinute,
          timeWindow: "1 minute",
          keyGenerator: (request) => request.maybeUser?.id ?? request.ip,
          errorResponseBuilder: () => new HttpError(429, "too_many_uploads", `You have uploaded ${settings.uploadsPerMinute} files in the last minute, the most allowed. Wait a minute and attach again.`),
        },
      },
    },
    async (request, reply) => {
      const file = await request.file().catch(() => undefined);
      if (!file) throw new HttpError(400, "no_file", "The upload has no file: send one file as multipart/form-data.");
      const fileName = stripNul(file.filename).trim() || "file";
      let bytes: Buffer;
      try {
        bytes = await readUpload(file.file, Number(request.headers["content-length"]), settings.maxBytes);
      } catch (error) {
        if (!(error instanceof UploadTooLargeError)) throw error;
        const sent = Number(request.headers["content-length"]);
        const size = Number.isFinite(sent) && sent > settings.maxBytes ? `about ${formatSize(sent)}` : `larger than ${formatSize(settings.maxBytes)}`;
        throw new HttpError(413, "too_large", `${fileName} is ${size}; the largest file you can attach is ${formatSize(settings.maxBytes)} (${settings.maxSetting}).`);
      }
      try {
        const prepared = await prepareFile(bytes, fileName, { maxBytes: settings.maxBytes, setting: settings.maxSetting });
        const attachment = await saveUpload(db, settings.blobs, {
          ownerId: request.user.id,
          bytes: prepared.bytes,
          fileName,
          modelName: prepared.modelName,
          kind: prepared.kind,
          format: prepared.format,
          width: prepared.width,
          height: prepared.height,
          notice: prepared.notice,
          quotaBytes: settings.quotaBytes,
        }, clock());
        return reply.status(201).send({ attachment });
      } catch (error) {
        if (error instanceof AttachmentError) throw new HttpError(error.status, error.code, error.message);
        if (error instanceof QuotaError) throw new HttpError(413, "quota", error.message);
        throw error;
      }
    },
  );

  app.delete("/api/attachments/:id", { schema: { tags: ["attachments"], params: idParams } }, async (request, reply) => {
    const outcome = await deletePendingAttachment(db, settings.blobs, request.user.id, request.params.id);
    if (outcome === "not_found") throw notFound("Attachment");
    if (outcome === "sent") throw new HttpError(409, "attachment_sent", "This file was sent in a message: it stays with its chat (deleting the chat deletes it).");
    return reply.status(204).send();
  });

  app.get("/api/attachments/:id", { schema: { tags: ["attachments"], params: idParams } }, async (request, reply) => {
    const found = await readAttachment(db, settings.blobs, request.user.id, request.params.id);
    if (!found) throw notFound("Attachment");
    const { row } = found;
    const bytes = await found.bytes();
    const image = row.kind === "image";
    const type = image ? mimeOf({ kind: "image", format: row.format as ImageFormat }) : row.format === "html" ? "text/plain; charset=utf-8" : mimeOf({ kind: "document", format: row.format as DocumentFormat });
    return reply
      .header("content-type", type)
      .header("content-length", bytes.length)
      .header("content-disposition", `${image ? "inline" : "attachment"}; filename*=UTF-8''${encodeURIComponent(row.file_name)}`)
      .header("x-content-type-options", "nosniff")
      .header("content-security-policy", "sandbox; default-src 'none'")
      .header("cache-control", "private, max-age=86400, immutable")
      .send(Buffer.from(bytes));
  });
};
