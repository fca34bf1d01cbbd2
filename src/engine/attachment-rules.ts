import type { ModelProfile } from "../config/resolve.js";
import type { DocumentPart, ImagePart, Message, Part } from "./types.js";

/** Bedrock's limits on files in one request (reference/bedrock-api.md): the history counts too. */
export const REQUEST_FILE_LIMITS = { images: 20, documents: 5 } as const;

/** The text a message with documents but no words carries (Bedrock requires a text block beside a document). */
export const FILES_ONLY_TEXT = "(See the attached files.)";

type FilePart = ImagePart | DocumentPart;

/** Whether a profile takes files of this kind (config.json's `vision` and `document`). */
export function profileTakes(profile: Pick<ModelProfile, "vision" | "document">, kind: "image" | "document"): boolean {
  return kind === "image" ? profile.vision : profile.document;
}

/** The names of the profiles that take files of this kind (to name them when one does not). */
export function profilesTaking(profiles: readonly ModelProfile[], kind: "image" | "document"): string[] {
  return profiles.filter((p) => profileTakes(p, kind)).map((p) => p.name);
}

/** How many images and documents parts carry, and whether that is more than one request may. */
export function fileCounts(parts: readonly Part[]): { images: number; documents: number; overLimit: boolean } {
  const images = parts.filter((p) => p.type === "image").length;
  const documents = parts.filter((p) => p.type === "document").length;
  return { images, documents, overLimit: images > REQUEST_FILE_LIMITS.images || documents > REQUEST_FILE_LIMITS.documents };
}

const displayName = (part: FilePart) => part.fileName ?? (part.type === "document" ? part.name : `a ${part.format.toUpperCase()} image`);

/**
 * Makes the files of a request fit the profile and Bedrock's rules, without ever sending a request Bedrock would
 * refuse for them: a file the profile cannot take (no vision, no documents), or past the per-request counts (the
 * oldest go first), is replaced by a short text stub, with a notice; the stored thread keeps the file. Document
 * names are made unique across the request (history included), and a message with a document gets a text block.
 * Messages without files are returned as they are.
 */
export function fitFilesToRequest(messages: readonly Message[], profile: ModelProfile): { messages: Message[]; notices: string[] } {
  if (!messages.some((m) => m.parts.some(carriesFile))) return { messages: [...messages], notices: [] };
  const unsupported: string[] = [];
  let overCount = 0;
  // Newest first: when there are too many, the oldest files give way.
  const keep = new Map<FilePart, boolean>();
  const counts = { images: 0, documents: 0 };
  for (let i = messages.length - 1; i >= 0; i--) {
    for (const part of filesOf(messages[i]!.parts).reverse()) {
      const slot = part.type === "image" ? "images" : "documents";
      const accepted = profileTakes(profile, part.type);
      const fits = accepted && counts[slot] < REQUEST_FILE_LIMITS[slot];
      if (!accepted) unsupported.unshift(displayName(part));
      else if (!fits) overCount++;
      else counts[slot]++;
      keep.set(part, fits);
    }
  }
  const usedNames = new Set<string>();
  const stub = (part: FilePart) => `[${displayName(part)} was attached here; not sent to this model]`;
  const out = messages.map((message): Message => {
    if (!message.parts.some(carriesFile)) return message;
    const parts: Part[] = message.parts.map((part): Part => {
      // Images a tool returned count like any other and stand in as text the same way.
      if (part.type === "toolResult") {
        if (!part.content.some((c) => c.type === "image" && !keep.get(c))) return part;
        return { ...part, content: part.content.map((c) => (c.type === "image" && !keep.get(c) ? { type: "text" as const, text: stub(c) } : c)) };
      }
      if (!isFile(part)) return part;
      if (!keep.get(part)) return { type: "text", text: stub(part) };
      if (part.type !== "document") return part;
      const name = uniqueName(part.name, usedNames);
      return name === part.name ? part : { ...part, name };
    });
    if (parts.some((p) => p.type === "document") && !parts.some((p) => p.type === "text" && p.text.trim() !== "")) parts.unshift({ type: "text", text: FILES_ONLY_TEXT });
    return { ...message, parts };
  });
  const notices: string[] = [];
  if (unsupported.length) {
    const what = [profile.vision ? "" : "images", profile.document ? "" : "documents"].filter(Boolean).join(" or ");
    notices.push(`Not sent to this model: ${unsupported.join(", ")} (profile "${profile.name}" does not take ${what}). The chat keeps ${unsupported.length === 1 ? "it" : "them"}.`);
  }
  if (overCount) {
    notices.push(
      `Not sent: the ${overCount === 1 ? "oldest file" : `${overCount} oldest files`} of this chat, since one request carries at most ${REQUEST_FILE_LIMITS.images} images and ${REQUEST_FILE_LIMITS.documents} documents. The chat keeps ${overCount === 1 ? "it" : "them"}.`,
    );
  }
  return { messages: out, notices };
}

function isFile(part: Part): part is FilePart {
  return part.type === "image" || part.type === "document";
}

function carriesFile(part: Part): boolean {
  return isFile(part) || (part.type === "toolResult" && part.content.some((c) => c.type === "image"));
}

/** A message's files in order, images inside tool results included. */
function filesOf(parts: readonly Part[]): FilePart[] {
  return parts.flatMap((part): FilePart[] => (isFile(part) ? [part] : part.type === "toolResult" ? part.content.filter((c): c is ImagePart => c.type === "image") : []));
}

/** `name`, or `name (2)`, `name (3)`, ... when the request already has it (Bedrock wants unique document names). */
function uniqueName(name: string, used: Set<string>): string {
  let candidate = name;
  for (let n = 2; used.has(candidate.toLowerCase()); n++) candidate = `${name.slice(0, 190)} (${n})`;
  used.add(candidate.toLowerCase());
  return candidate;
}
