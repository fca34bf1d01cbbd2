import type { AttachmentRules, Profile } from "../../api/types.js";
import { DOCUMENT_MAX_BYTES, MAX_DOCUMENTS, MAX_IMAGES } from "../../../../src/attachments/limits.js";
import { formatSize } from "../../../../src/shared/sizes.js";

/**
 * The checks the composer makes before it uploads a file or sends a message: the same rules and the same words as
 * the server's (which checks again, by content), so a file the server would refuse is refused at once, with the
 * typed text untouched. Pure: no DOM, no React.
 */

export type FileKind = "image" | "document";

/** What the composer knows of a file before it is uploaded: its name, size and the type the browser says. */
export interface FileFacts {
  name: string;
  size: number;
  /** The browser's MIME type ("" when it does not know). */
  type: string;
}

/** Other names of a format's extension (as the server reads them: attachments/detect.ts). */
const ALIASES: Record<string, string> = { jpg: "jpeg", jpe: "jpeg", jfif: "jpeg", htm: "html", markdown: "md" };
/** Extensions each format is saved with, for the file picker. */
const EXTENSIONS: Record<string, readonly string[]> = { jpeg: ["jpg", "jpeg"], html: ["html", "htm"], md: ["md", "markdown"] };
/** MIME types browsers give files without a telling name (pasted images, mostly). */
const MIME_FORMATS: Record<string, string> = {
  "image/png": "png",
  "image/jpeg": "jpeg",
  "image/gif": "gif",
  "image/webp": "webp",
  "application/pdf": "pdf",
  "text/plain": "txt",
  "text/markdown": "md",
  "text/csv": "csv",
  "text/html": "html",
  "application/msword": "doc",
  "application/vnd.ms-excel": "xls",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
};
/** How formats are written in sentences (as the server writes them). */
const FORMAT_LABELS: Record<string, string> = { webp: "WebP" };
const label = (format: string) => FORMAT_LABELS[format] ?? format.toUpperCase();

export function extensionOf(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : "";
}

/**
 * The kind and format a file is taken for: its extension's, else its MIME type's. `undefined`: a name that says
 * a format the app does not take (report.exe, photos.zip). `null`: nothing tells (no extension, no known MIME
 * type); the server decides by the content.
 */
export function formatOf(file: Pick<FileFacts, "name" | "type">, rules: Pick<AttachmentRules, "imageFormats" | "documentFormats">): { kind: FileKind; format: string } | null | undefined {
  const ext = extensionOf(file.name);
  const kindOf = (format: string): FileKind | undefined => (rules.imageFormats.includes(format) ? "image" : rules.documentFormats.includes(format) ? "document" : undefined);
  if (ext) {
    const format = ALIASES[ext] ?? ext;
    const kind = kindOf(format);
    if (kind) return { kind, format };
  }
  const fromMime = MIME_FORMATS[file.type.split(";")[0]!.trim().toLowerCase()];
  const mimeKind = fromMime === undefined ? undefined : kindOf(fromMime);
  if (fromMime !== undefined && mimeKind) return { kind: mimeKind, format: fromMime };
  return ext ? undefined : null;
}

/** The file input's `accept`: every extension of every accepted format. */
export function acceptAttribute(rules: Pick<AttachmentRules, "imageFormats" | "documentFormats">): string {
  return [...rules.imageFormats, ...rules.documentFormats].flatMap((f) => (EXTENSIONS[f] ?? [f]).map((e) => `.${e}`)).join(",");
}

/** "Attach an image (PNG, JPEG, GIF, WebP) or a document (PDF, CSV, ...)." */
export function acceptedSentence(rules: Pick<AttachmentRules, "imageFormats" | "documentFormats">): string {
  return `Attach an image (${rules.imageFormats.map(label).join(", ")}) or a document (${rules.documentFormats.map(label).join(", ")}).`;
}

/** The profiles that take a kind of file, by name. */
export function profilesTaking(kind: FileKind, profiles: readonly Profile[]): string[] {
  return profiles.filter((p) => (kind === "image" ? p.capabilities.vision : p.capabilities.document)).map((p) => p.name);
}

export function takes(profile: Profile, kind: FileKind): boolean {
  return kind === "image" ? profile.capabilities.vision : profile.capabilities.document;
}

/** Why a profile cannot take a file, naming the file and the profiles that can (the server's words). */
export function notAcceptedMessage(name: string, kind: FileKind, profile: Profile, profiles: readonly Profile[]): string {
  const others = profilesTaking(kind, profiles);
  const a = kind === "image" ? "an image" : "a document";
  const plural = kind === "image" ? "images" : "documents";
  return `${name} is ${a}, and profile "${profile.name}" does not take ${plural}. ${others.length ? `Profiles that do: ${others.join(", ")}.` : "No profile of this app does."}`;
}

export interface CheckContext {
  rules: AttachmentRules;
  profile: Profile;
  profiles: readonly Profile[];
}

/** Why a file cannot be attached (before uploading it), or null when it may be uploaded. */
export function checkFile(file: FileFacts, context: CheckContext): string | null {
  const { rules, profile, profiles } = context;
  const found = formatOf(file, rules);
  if (found === undefined) return `${file.name} is not a file you can attach (.${extensionOf(file.name)}). ${acceptedSentence(rules)}`;
  if (file.size === 0) return `${file.name} is empty (0 bytes). Choose another file.`;
  if (file.size > rules.maxBytes) return `${file.name} is ${formatSize(file.size)}; the largest file you can attach is ${formatSize(rules.maxBytes)} (${rules.maxSetting}).`;
  if (found?.kind === "document" && file.size > DOCUMENT_MAX_BYTES) {
    return `${file.name} is ${formatSize(file.size)}; the model's limit for one document is ${formatSize(DOCUMENT_MAX_BYTES)}. Attach a shorter version or split it.`;
  }
  if (found && !takes(profile, found.kind)) return notAcceptedMessage(file.name, found.kind, profile, profiles);
  return null;
}

/** How many files of each kind one message may carry (Bedrock's per-request counts). */
export const MESSAGE_FILE_LIMITS = { images: MAX_IMAGES, documents: MAX_DOCUMENTS } as const;

/**
 * Files added at once, checked one by one and against the counts: those that may be uploaded, and the errors
 * of the others (in the order given). `pending`: the kinds of the files already attached to the message.
 */
export function checkFiles<F extends FileFacts>(
  files: readonly F[],
  pending: readonly (FileKind | null)[],
  context: CheckContext,
): { accepted: { file: F; kind: FileKind | null; format: string | null }[]; errors: string[] } {
  let images = pending.filter((k) => k === "image").length;
  let documents = pending.filter((k) => k === "document").length;
  const accepted: { file: F; kind: FileKind | null; format: string | null }[] = [];
  const errors: string[] = [];
  for (const file of files) {
    const error = checkFile(file, context);
    if (error) {
      errors.push(error);
      continue;
    }
    const found = formatOf(file, context.rules);
    const kind = found?.kind ?? null;
    if ((kind === "image" && images >= MESSAGE_FILE_LIMITS.images) || (kind === "document" && documents >= MESSAGE_FILE_LIMITS.documents)) {
      errors.push(`${file.name} was not attached: one message can carry at most ${MESSAGE_FILE_LIMITS.images} images and ${MESSAGE_FILE_LIMITS.documents} documents. Send the others in another message.`);
      continue;
    }
    if (kind === "image") images++;
    else if (kind === "document") documents++;
    accepted.push({ file, kind, format: found?.format ?? null });
  }
  return { accepted, errors };
}

/** Files of a message the profile cannot take, as one error per file (checked again when the message is sent). */
export function refusedByProfile(files: readonly { name: string; kind: FileKind }[], profile: Profile, profiles: readonly Profile[]): string[] {
  return files.filter((f) => !takes(profile, f.kind)).map((f) => notAcceptedMessage(f.name, f.kind, profile, profiles));
}

/**
 * The note shown when the chosen profile cannot take files already attached (the user switched profile): the
 * files stay; the message cannot be sent with them to this profile. null when every file can go.
 */
export function switchNote(files: readonly { name: string; kind: FileKind }[], profile: Profile, profiles: readonly Profile[]): string | null {
  const refused = files.filter((f) => !takes(profile, f.kind));
  if (refused.length === 0) return null;
  const kinds = [...new Set(refused.map((f) => f.kind))];
  const what = kinds.map((k) => (k === "image" ? "images" : "documents")).join(" or ");
  const names = refused.map((f) => f.name).join(", ");
  const others = profiles.filter((p) => kinds.every((k) => takes(p, k))).map((p) => p.name);
  return `Profile "${profile.name}" does not take ${what}: ${names} ${refused.length === 1 ? "stays" : "stay"} attached but cannot be sent to it. Remove ${refused.length === 1 ? "it" : "them"}, or pick a profile that does${others.length ? ` (${others.join(", ")})` : ""}.`;
}

/** A name for a pasted image the clipboard gave no name ("image.png" is what browsers give). */
export function pastedName(file: Pick<FileFacts, "name" | "type">, when: Date): string {
  if (file.name && extensionOf(file.name)) return file.name;
  const ext = MIME_FORMATS[file.type] === "jpeg" ? "jpg" : (MIME_FORMATS[file.type] ?? "png");
  const pad = (n: number) => String(n).padStart(2, "0");
  return `Pasted image ${when.getFullYear()}-${pad(when.getMonth() + 1)}-${pad(when.getDate())} ${pad(when.getHours())}.${pad(when.getMinutes())}.${pad(when.getSeconds())}.${ext}`;
}
