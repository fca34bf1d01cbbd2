import { ChatError } from "./errors.js";
import type { FileSource, ImagePart, Message, Part, ToolResultContent } from "./types.js";
import type { ToolResultText } from "../shared/parts.js";

/**
 * Turns a stored attachment into what a model request carries: its bytes (base64), or, when the profile takes S3
 * sources (`s3`) and the file is in S3, its location. Given by the shell (the server reads its attachment store);
 * the engine never reads storage.
 */
export type FileResolver = (attachmentId: string, options: { s3: boolean }) => Promise<Exclude<FileSource, { type: "attachment" }>>;

/**
 * The messages with every attachment reference resolved, for one request. Messages without attachments are
 * returned as they are (no copy), so a conversation of text costs nothing here.
 */
export async function resolveFiles(messages: readonly Message[], resolver: FileResolver | undefined, options: { s3: boolean } = { s3: false }): Promise<Message[]> {
  if (!messages.some((m) => m.parts.some(hasAttachment))) return [...messages];
  const resolve = async <P extends { source: FileSource }>(part: P): Promise<P> => {
    if (part.source.type !== "attachment") return part;
    if (!resolver) throw new ChatError("internal", `A file of this conversation (attachment ${part.source.id}) cannot be read here: this program has no attachment store.`);
    return { ...part, source: await resolver(part.source.id, options) };
  };
  /** A long tool result's whole text, from the bytes it was stored as (UTF-8). */
  const resolveText = async (item: ToolResultText): Promise<ToolResultText> => {
    if (!item.source) return item;
    if (!resolver) throw new ChatError("internal", `A tool result of this conversation (attachment ${item.source.id}) cannot be read here: this program has no attachment store.`);
    const stored = await resolver(item.source.id, { s3: false });
    if (stored.type !== "bytes") throw new ChatError("internal", `A tool result of this conversation (attachment ${item.source.id}) could not be read back.`);
    return { type: "text", text: Buffer.from(stored.data, "base64").toString("utf8") };
  };
  const resolveContent = (item: ToolResultContent) => (item.type === "image" ? resolve<ImagePart>(item) : item.type === "text" ? resolveText(item) : item);
  return Promise.all(
    messages.map(async (message) => {
      if (!message.parts.some(hasAttachment)) return message;
      const parts = await Promise.all(
        message.parts.map(async (part): Promise<Part> => {
          if (part.type === "image" || part.type === "document") return resolve(part);
          if (part.type === "toolResult") return { ...part, content: await Promise.all(part.content.map(resolveContent)) };
          return part;
        }),
      );
      return { ...message, parts };
    }),
  );
}

function hasAttachment(part: Part): boolean {
  if (part.type === "image" || part.type === "document") return part.source.type === "attachment";
  if (part.type === "toolResult") return part.content.some((c) => (c.type === "image" && c.source.type === "attachment") || (c.type === "text" && c.source !== undefined));
  return false;
}
