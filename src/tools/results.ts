import { McpError, ErrorCode } from "@modelcontextprotocol/sdk/types.js";
import { IMAGE_MAX_BYTES, IMAGE_MAX_PIXELS, MAX_IMAGES, MB } from "../attachments/limits.js";
import type { ImageFormat, ToolResultContent, ToolResultPart } from "../shared/parts.js";

/**
 * MCP `CallToolResult` → the engine's tool result (reference/mcp.md 2, reference/bedrock-api.md 1.3 and 10.3):
 *
 * | MCP | result |
 * |---|---|
 * | `text` | text (blank text is left out) |
 * | `image` | an image when PNG, JPEG, GIF or WebP (by its bytes), ≤ 3.75 MB and ≤ 8,000 px a side; else a text note |
 * | `audio` | a text note |
 * | `resource_link` | text: name, URI, type, description |
 * | `resource` text / blob | text with its URI; an image blob as an image; a text-like blob decoded; else a note |
 * | `structuredContent` | json (a non-object wrapped as `{result}`); the text block that repeats it is dropped |
 * | `isError` | status "error" |
 * | nothing | text "(no output)" |
 *
 * Text is capped (default 100,000 characters over the whole result) with a note saying it was cut, so one result
 * never takes a request past Bedrock's limits.
 */

type Result = Pick<ToolResultPart, "status" | "content">;
type Json = Record<string, unknown>;

export const DEFAULT_MAX_RESULT_CHARS = 100_000;
export const NO_OUTPUT = "(no output)";

export interface ResultOptions {
  /** Most characters of text (and JSON) one result keeps; the rest is cut with a note. Default 100,000. */
  maxChars?: number;
  /** False when the model takes no images: images become text notes. Default true. */
  images?: boolean;
  /** Most images one result keeps (Bedrock takes 20 a request). */
  maxImages?: number;
}

/** The MCP result (as `callTool` returns it, or any JSON a server sent) as the engine's tool result. */
export function toToolResult(raw: unknown, options: ResultOptions = {}): Result {
  const result = (raw && typeof raw === "object" ? raw : {}) as Json;
  const blocks = Array.isArray(result["content"]) ? (result["content"] as unknown[]) : [];
  const structured = result["structuredContent"];
  const hasStructured = structured !== undefined && structured !== null;
  const content: ToolResultContent[] = [];
  let images = 0;
  const maxImages = options.maxImages ?? MAX_IMAGES;
  const image = (data: unknown, mimeType: unknown, what: string) => {
    const converted = imageContent(data, mimeType, what, options.images !== false && images < maxImages);
    if (converted.type === "image") images++;
    content.push(converted);
  };

  for (const rawBlock of blocks) {
    if (!rawBlock || typeof rawBlock !== "object") continue;
    const block = rawBlock as Json;
    switch (block["type"]) {
      case "text": {
        const text = typeof block["text"] === "string" ? block["text"] : "";
        if (text.trim() === "") break;
        if (hasStructured && repeats(text, structured)) break;
        content.push({ type: "text", text });
        break;
      }
      case "image":
        image(block["data"], block["mimeType"], "image");
        break;
      case "audio":
        content.push({ type: "text", text: `[The tool returned audio (${String(block["mimeType"] ?? "unknown type")}, ${sizeOf(block["data"])}), which cannot be passed to the model.]` });
        break;
      case "resource_link": {
        const lines = [`Resource link: ${String(block["name"] ?? block["uri"] ?? "")}`, `URI: ${String(block["uri"] ?? "")}`];
        if (typeof block["title"] === "string") lines.push(`Title: ${block["title"]}`);
        if (typeof block["mimeType"] === "string") lines.push(`Type: ${block["mimeType"]}`);
        if (typeof block["description"] === "string") lines.push(`Description: ${block["description"]}`);
        content.push({ type: "text", text: lines.join("\n") });
        break;
      }
      case "resource": {
        const resource = (block["resource"] ?? {}) as Json;
        const uri = String(resource["uri"] ?? "");
        const mime = typeof resource["mimeType"] === "string" ? resource["mimeType"] : undefined;
        if (typeof resource["text"] === "string") {
          content.push({ type: "text", text: `Resource ${uri}${mime ? ` (${mime})` : ""}:\n${resource["text"]}` });
        } else if (typeof resource["blob"] === "string") {
          if (mime?.startsWith("image/")) image(resource["blob"], mime, `image resource ${uri}`);
          else if (mime && isTextMime(mime)) content.push({ type: "text", text: `Resource ${uri} (${mime}):\n${Buffer.from(resource["blob"], "base64").toString("utf8")}` });
          else content.push({ type: "text", text: `[The tool returned the resource ${uri} (${mime ?? "unknown type"}, ${sizeOf(resource["blob"])}), which cannot be passed to the model.]` });
        } else content.push({ type: "text", text: `Resource ${uri}` });
        break;
      }
      default:
        content.push({ type: "text", text: `[The tool returned a block of type "${String(block["type"])}", which cannot be passed to the model.]` });
    }
  }
  if (hasStructured) {
    const json = typeof structured === "object" && !Array.isArray(structured) ? structured : { result: structured };
    content.unshift({ type: "json", json });
  }
  const capped = capText(content, options.maxChars ?? DEFAULT_MAX_RESULT_CHARS);
  if (capped.length === 0) capped.push({ type: "text", text: NO_OUTPUT });
  return { status: result["isError"] === true ? "error" : "success", content: capped };
}

/** A failed call as a tool result: status "error" with the message (Bedrock wants content with an error status). */
export function errorResult(message: string): Result {
  return { status: "error", content: [{ type: "text", text: message.trim() === "" ? "The tool failed without a message." : message }] };
}

/** Words for a call that threw (McpError, timeout, a dropped connection, a refused connection). */
export function describeCallError(error: unknown, context: { tool: string; server: string; timeoutMs?: number }): string {
  const { tool, server } = context;
  if (error instanceof McpError) {
    if (error.code === ErrorCode.RequestTimeout) {
      return context.timeoutMs !== undefined ? `The tool ${tool} (server ${server}) did not answer within ${seconds(context.timeoutMs)}.` : `The tool ${tool} (server ${server}) timed out.`;
    }
    if (error.code === ErrorCode.ConnectionClosed) return `The connection to server ${server} closed while ${tool} was running.`;
    return `The tool ${tool} (server ${server}) failed: ${stripMcpPrefix(error.message)}`;
  }
  return `The tool ${tool} (server ${server}) failed: ${errorText(error)}`;
}

/** An error's message with its cause (Node's "fetch failed" says little without it). */
export function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as Error & { cause?: unknown }).cause;
  const causeText = cause instanceof Error ? ((cause as Error & { code?: string }).code ?? cause.message) : undefined;
  const message = stripMcpPrefix(error.message);
  return causeText && !message.includes(causeText) ? `${message} (${causeText})` : message;
}

function stripMcpPrefix(message: string): string {
  return message.replace(/^MCP error -?\d+: /, "");
}

export function seconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}

/** Cuts the text of a result to `max` characters in all (JSON counts as its text), with a note saying so. */
export function capText(content: readonly ToolResultContent[], max: number): ToolResultContent[] {
  const length = (c: ToolResultContent) => (c.type === "text" ? c.text.length : c.type === "json" ? JSON.stringify(c.json).length : 0);
  const total = content.reduce((n, c) => n + length(c), 0);
  if (total <= max) return [...content];
  const out: ToolResultContent[] = [];
  let left = max;
  for (const c of content) {
    if (c.type === "image") {
      out.push(c);
      continue;
    }
    if (left <= 0) continue;
    const text = c.type === "text" ? c.text : JSON.stringify(c.json);
    if (text.length <= left) out.push(c);
    else out.push({ type: "text", text: cutAt(text, left) });
    left -= Math.min(left, text.length);
  }
  out.push({ type: "text", text: `[The tool's output was cut: it had ${total.toLocaleString("en-US")} characters of text; the model was given the first ${max.toLocaleString("en-US")}.]` });
  return out;
}

/** The first `n` UTF-16 units of `text`, not splitting a surrogate pair. */
function cutAt(text: string, n: number): string {
  const code = text.charCodeAt(n - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? n - 1 : n);
}

function imageContent(data: unknown, mimeType: unknown, what: string, allowed: boolean): ToolResultContent {
  const mime = typeof mimeType === "string" ? mimeType : "unknown type";
  if (typeof data !== "string" || data === "") return { type: "text", text: `[The tool returned an empty ${what}.]` };
  const bytes = Buffer.from(data, "base64");
  const note = (why: string) => ({ type: "text" as const, text: `[The tool returned an ${what} (${mime}, ${formatBytes(bytes.length)}) that was not passed to the model: ${why}.]` });
  if (!allowed) return note("this model does not take images here, or the result has too many");
  const info = sniffImage(bytes);
  if (!info) return note("only PNG, JPEG, GIF and WebP images can be passed");
  if (bytes.length > IMAGE_MAX_BYTES) return note(`it is over ${IMAGE_MAX_BYTES / MB} MB`);
  if (info.width !== undefined && info.height !== undefined && (info.width > IMAGE_MAX_PIXELS || info.height > IMAGE_MAX_PIXELS)) {
    return note(`it is ${info.width} × ${info.height} pixels, over ${IMAGE_MAX_PIXELS.toLocaleString("en-US")} a side`);
  }
  // Re-encoded so the data is exactly the bytes (a server may send line breaks or URL-safe base64).
  return { type: "image", format: info.format, source: { type: "bytes", data: bytes.toString("base64") } };
}

/** The image format the bytes really are (not what the server says), and its size when the header tells it. */
export function sniffImage(b: Buffer): { format: ImageFormat; width?: number; height?: number } | undefined {
  if (b.length >= 24 && b.readUInt32BE(0) === 0x89504e47 && b.readUInt32BE(4) === 0x0d0a1a0a) {
    return b.toString("latin1", 12, 16) === "IHDR" ? { format: "png", width: b.readUInt32BE(16), height: b.readUInt32BE(20) } : { format: "png" };
  }
  if (b.length >= 10 && (b.toString("latin1", 0, 6) === "GIF87a" || b.toString("latin1", 0, 6) === "GIF89a")) return { format: "gif", width: b.readUInt16LE(6), height: b.readUInt16LE(8) };
  if (b.length >= 16 && b.toString("latin1", 0, 4) === "RIFF" && b.toString("latin1", 8, 12) === "WEBP") {
    const chunk = b.toString("latin1", 12, 16);
    if (chunk === "VP8 " && b.length >= 30) return { format: "webp", width: b.readUInt16LE(26) & 0x3fff, height: b.readUInt16LE(28) & 0x3fff };
    if (chunk === "VP8L" && b.length >= 25) {
      const bits = b.readUInt32LE(21);
      return { format: "webp", width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
    }
    if (chunk === "VP8X" && b.length >= 30) return { format: "webp", width: b.readUIntLE(24, 3) + 1, height: b.readUIntLE(27, 3) + 1 };
    return { format: "webp" };
  }
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) {
    let at = 2;
    while (at + 9 < b.length) {
      if (b[at] !== 0xff) break;
      const marker = b[at + 1]!;
      if (marker === 0xff) {
        at++;
        continue;
      }
      if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
        at += 2;
        continue;
      }
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        return { format: "jpeg", width: b.readUInt16BE(at + 7), height: b.readUInt16BE(at + 5) };
      }
      at += 2 + b.readUInt16BE(at + 2);
    }
    return { format: "jpeg" };
  }
  return undefined;
}

/** Whether a text block only repeats the structured content (the spec asks servers to send both). */
function repeats(text: string, structured: unknown): boolean {
  try {
    return sameJson(JSON.parse(text), structured);
  } catch {
    return false;
  }
}

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => sameJson((a as Json)[k], (b as Json)[k]));
}

function isTextMime(mime: string): boolean {
  return mime.startsWith("text/") || /^application\/(json|xml|yaml|x-yaml|javascript|csv)\b/.test(mime) || /\+(json|xml)\b/.test(mime);
}

function sizeOf(data: unknown): string {
  return typeof data === "string" ? formatBytes(Buffer.byteLength(data, "base64")) : "no data";
}

function formatBytes(n: number): string {
  if (n < 1000) return `${n} bytes`;
  if (n < MB) return `${(n / 1000).toFixed(n < 10_000 ? 1 : 0)} KB`;
  return `${(n / MB).toFixed(n < 10 * MB ? 1 : 0)} MB`;
}
