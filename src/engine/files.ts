import { ChatError } from "./errors.js";
import type { FileSource, ImagePart, Message, Part, ToolResultContent } from "./types.js";

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
  const resolveContent = (item: ToolResultContent) => (item.type === "image" ? resolve<ImagePart>(item) : item);
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
  if (part.type === "toolResult") return part.content.some((c) => c.type === "image" && c.source.type === "attachment");
  return false;
}
