import type { ToolCallContext, ToolExecutor } from "../../engine/tools.js";
import type { ToolResultContent, ToolResultPart } from "../../engine/types.js";
import type { ImageFormat } from "../../shared/parts.js";

/** Tool result texts longer than this are stored like attachments; the part keeps their beginning. */
export const LONG_RESULT_CHARS = 4_000;
/** How much of a long result the part keeps, for display. */
export const PREVIEW_CHARS = 2_000;

/** A file a tool returned, to store like an attachment of the answer; resolves with its attachment id. */
export type SaveToolFile = (file: { bytes: Uint8Array; fileName: string; kind: "image"; format: ImageFormat } | { bytes: Uint8Array; fileName: string; kind: "document"; format: "txt" }) => Promise<string>;

/**
 * The executor with the files of tool results kept by reference: images, and texts over LONG_RESULT_CHARS, are
 * stored like attachments of the answer, so progress saves, thread listings and the stream carry ids and a
 * preview, never the bytes; the engine reads them back when it builds the next model request. A file that cannot be
 * stored stays inline (the answer goes on).
 */
export function keepToolFilesByReference(inner: ToolExecutor, save: SaveToolFile, onError: (error: unknown) => void): ToolExecutor {
  const wrapped: ToolExecutor = {
    get specs() {
      return inner.specs;
    },
    ...(inner.describe ? { describe: (name: string) => inner.describe!(name) } : {}),
    async call(name: string, input: unknown, signal?: AbortSignal, call?: ToolCallContext): Promise<Pick<ToolResultPart, "status" | "content" | "notRun">> {
      const result = await inner.call(name, input, signal, call);
      const tool = inner.describe?.(name)?.tool ?? name;
      // Files are named after the tool, numbered when one result has several.
      const files = result.content.filter(isStoredAsFile).length;
      let n = 0;
      const content = await Promise.all(
        result.content.map((item) => (isStoredAsFile(item) ? byReference(item, `${tool} result${files > 1 ? ` ${++n}` : ""}`, save).catch((error: unknown) => (onError(error), item)) : item)),
      );
      return { ...result, content };
    },
  };
  return wrapped;
}

const isStoredAsFile = (item: ToolResultContent) => (item.type === "image" && item.source.type === "bytes") || (item.type === "text" && !item.source && item.text.length > LONG_RESULT_CHARS);

async function byReference(item: ToolResultContent, baseName: string, save: SaveToolFile): Promise<ToolResultContent> {
  if (item.type === "image" && item.source.type === "bytes") {
    const fileName = `${baseName}.${item.format === "jpeg" ? "jpg" : item.format}`;
    const id = await save({ bytes: Buffer.from(item.source.data, "base64"), fileName, kind: "image", format: item.format });
    return { type: "image", format: item.format, source: { type: "attachment", id }, fileName };
  }
  if (item.type === "text" && !item.source && item.text.length > LONG_RESULT_CHARS) {
    const id = await save({ bytes: Buffer.from(item.text, "utf8"), fileName: `${baseName}.txt`, kind: "document", format: "txt" });
    return { type: "text", text: previewOf(item.text), source: { type: "attachment", id }, chars: item.text.length };
  }
  return item;
}

/** The beginning of a long text, cut at a line or word end near PREVIEW_CHARS (never inside a surrogate pair). */
function previewOf(text: string): string {
  let cut = PREVIEW_CHARS;
  const newline = text.lastIndexOf("\n", cut);
  const space = text.lastIndexOf(" ", cut);
  if (newline > PREVIEW_CHARS * 0.75) cut = newline;
  else if (space > PREVIEW_CHARS * 0.75) cut = space;
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return text.slice(0, cut);
}
