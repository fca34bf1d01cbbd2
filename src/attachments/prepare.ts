import type { DocumentFormat, ImageFormat } from "../shared/parts.js";
import { formatSize } from "../shared/sizes.js";
import { detectFile, FileTypeError } from "./detect.js";
import { fitImage } from "./fit-image.js";
import { DOCUMENT_MAX_BYTES } from "./limits.js";
import { modelDocumentName } from "./names.js";

/** A file ready to store and send: detected, within the limits (an image fitted to them), named for Bedrock. */
export type PreparedFile = {
  bytes: Uint8Array;
  fileName: string;
  /** The name Bedrock gets for a document. */
  modelName: string;
  width: number | null;
  height: number | null;
  /** What was done to fit the model's limits, told to the user. */
  notice: string | null;
} & ({ kind: "image"; format: ImageFormat } | { kind: "document"; format: DocumentFormat });

/** A file refused, with words that name it, the rule and the numbers. */
export class AttachmentError extends Error {
  override readonly name = "AttachmentError";
  constructor(
    readonly code: "too_large" | "unsupported_file" | "quota" | "not_accepted" | "too_many_files" | "empty_file",
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export { formatSize };

/**
 * The largest file one upload may be: the server's own cap (ATTACHMENT_MAX_MB), or config.json's
 * max_content_size_mb_parameter when that is smaller ("None" sets none), with the setting to name in errors.
 */
export function uploadCap(config: { maxContentSizeMb: number | null }, hardCapBytes: number): { maxBytes: number; setting: string } {
  const configCap = config.maxContentSizeMb ? config.maxContentSizeMb * 1_000_000 : undefined;
  return configCap !== undefined && configCap < hardCapBytes ? { maxBytes: configCap, setting: "max_content_size_mb_parameter in config.json" } : { maxBytes: hardCapBytes, setting: "ATTACHMENT_MAX_MB" };
}

/**
 * The checks every file goes through, the same for the web upload and the CLI's --attach: the size cap of one
 * upload, the type by content, Bedrock's limit for one document, and images fitted (resized, re-encoded) to
 * Bedrock's limits with a notice saying what was done.
 */
export async function prepareFile(bytes: Uint8Array, fileName: string, cap: { maxBytes: number; setting: string }): Promise<PreparedFile> {
  if (bytes.length === 0) throw new AttachmentError("empty_file", `${fileName} is empty (0 bytes). Choose another file.`);
  if (bytes.length > cap.maxBytes) {
    throw new AttachmentError("too_large", `${fileName} is ${formatSize(bytes.length)}; the largest file you can attach is ${formatSize(cap.maxBytes)} (${cap.setting}).`, 413);
  }
  let detected;
  try {
    detected = await detectFile(bytes, fileName);
  } catch (error) {
    if (error instanceof FileTypeError) throw new AttachmentError("unsupported_file", error.message, 415);
    throw error;
  }
  if (detected.kind === "document") {
    if (bytes.length > DOCUMENT_MAX_BYTES) {
      throw new AttachmentError("too_large", `${fileName} is ${formatSize(bytes.length)}; the model's limit for one document is ${formatSize(DOCUMENT_MAX_BYTES)}. Attach a shorter version or split it.`, 413);
    }
    return { kind: "document", format: detected.format, bytes, fileName, modelName: modelDocumentName(fileName), width: null, height: null, notice: null };
  }
  const fitted = await fitImage(bytes, detected.format, fileName);
  return { kind: "image", format: fitted.format, bytes: fitted.bytes, fileName, modelName: modelDocumentName(fileName), width: fitted.width, height: fitted.height, notice: fitted.notice ?? null };
}
