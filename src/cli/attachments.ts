import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { AttachmentError, prepareFile, uploadCap } from "../attachments/prepare.js";
import type { AppConfig, ModelProfile } from "../config/resolve.js";
import { fileCounts, profilesTaking, profileTakes, REQUEST_FILE_LIMITS } from "../engine/attachment-rules.js";
import type { Part } from "../engine/types.js";
import { UsageError } from "./chat-args.js";

const MB = 1_000_000;

/**
 * `--attach PATH` files as message parts (their bytes inline), through the same checks as a web upload: type by
 * content, the size caps, Bedrock's document limit, images fitted to Bedrock's limits, names for Bedrock, and what
 * the profile takes. A refused file is a usage error (exit 2) and nothing is sent. Notices say what was fitted.
 */
export async function attachmentParts(paths: readonly string[], profile: ModelProfile, config: AppConfig, env: NodeJS.ProcessEnv): Promise<{ parts: Part[]; notices: string[] }> {
  const cap = uploadCap(config, Number(env["ATTACHMENT_MAX_MB"] ?? 30) * MB);
  const parts: Part[] = [];
  const notices: string[] = [];
  for (const path of paths) {
    const fileName = basename(path);
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (error) {
      throw new UsageError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message}; nothing was sent`);
    }
    let prepared;
    try {
      prepared = await prepareFile(bytes, fileName, cap);
    } catch (error) {
      if (error instanceof AttachmentError) throw new UsageError(`${error.message} Nothing was sent.`);
      throw error;
    }
    const image = prepared.kind === "image";
    if (!profileTakes(profile, prepared.kind)) {
      const others = profilesTaking(config.profiles, prepared.kind);
      throw new UsageError(`${fileName} is ${image ? "an image" : "a document"}, and profile "${profile.name}" does not take ${image ? "images" : "documents"}${others.length ? `; profiles that do: ${others.join(", ")}` : ""}. Nothing was sent.`);
    }
    if (prepared.notice) notices.push(prepared.notice);
    const source = { type: "bytes" as const, data: Buffer.from(prepared.bytes).toString("base64") };
    parts.push(prepared.kind === "image" ? { type: "image", format: prepared.format, source, fileName } : { type: "document", format: prepared.format, name: prepared.modelName, source, fileName });
  }
  const { images, documents, overLimit } = fileCounts(parts);
  if (overLimit) {
    throw new UsageError(`one message can carry at most ${REQUEST_FILE_LIMITS.images} images and ${REQUEST_FILE_LIMITS.documents} documents (got ${images} and ${documents}); nothing was sent`);
  }
  return { parts, notices };
}
