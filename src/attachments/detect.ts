import { fileTypeFromBuffer } from "file-type";
import type { DocumentFormat, ImageFormat } from "../shared/parts.js";

/** What an uploaded file really is, from its content (never from its name alone or the browser's MIME type). */
export type DetectedFile = { kind: "image"; format: ImageFormat; mime: string } | { kind: "document"; format: DocumentFormat; mime: string };

/** A file refused for what it is, with words that name the file and what it really is. */
export class FileTypeError extends Error {
  override readonly name: string = "FileTypeError";
}

export const IMAGE_FORMATS: readonly ImageFormat[] = ["png", "jpeg", "gif", "webp"];
export const DOCUMENT_FORMATS: readonly DocumentFormat[] = ["pdf", "csv", "doc", "docx", "xls", "xlsx", "html", "txt", "md"];
const TEXT_FORMATS: readonly DocumentFormat[] = ["csv", "html", "md", "txt"];

const DOCUMENT_MIME: Record<DocumentFormat, string> = {
  pdf: "application/pdf",
  csv: "text/csv",
  doc: "application/msword",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  xls: "application/vnd.ms-excel",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  html: "text/html",
  txt: "text/plain",
  md: "text/markdown",
};

/** How an accepted format is named to a person, as what the file's name says it is ("not a PDF"). */
const FORMAT_NAMES: Record<ImageFormat | DocumentFormat, string> = {
  png: "a PNG image",
  jpeg: "a JPEG image",
  gif: "a GIF image",
  webp: "a WebP image",
  pdf: "a PDF",
  csv: "a CSV file",
  doc: "a Word 97-2003 document (.doc)",
  docx: "a Word document (.docx)",
  xls: "an Excel 97-2003 workbook (.xls)",
  xlsx: "an Excel workbook (.xlsx)",
  html: "an HTML file",
  txt: "a text file",
  md: "a Markdown file",
};

/** How a type file-type detected is named to a person, as what the file really is ("is a PNG image"). */
const DESCRIPTIONS: Record<string, string> = {
  png: "a PNG image",
  apng: "a PNG image",
  jpg: "a JPEG image",
  gif: "a GIF image",
  webp: "a WebP image",
  pdf: "a PDF",
  docx: "a Word document (.docx)",
  xlsx: "an Excel workbook (.xlsx)",
  cfb: "an Office 97-2003 file (.doc or .xls)",
  zip: "a ZIP archive",
  pptx: "a PowerPoint presentation (.pptx)",
  docm: "a macro-enabled Word document (.docm)",
  xlsm: "a macro-enabled Excel workbook (.xlsm)",
  odt: "an OpenDocument text (.odt)",
  ods: "an OpenDocument spreadsheet (.ods)",
  epub: "an EPUB book",
  exe: "a Windows program (.exe)",
  elf: "a Linux program",
  macho: "a macOS program",
  rar: "a RAR archive",
  "7z": "a 7-Zip archive",
  gz: "a gzip archive",
  "tar.gz": "a gzip archive",
  tar: "a TAR archive",
  bmp: "a BMP image",
  tif: "a TIFF image",
  heic: "a HEIC image",
  avif: "an AVIF image",
  jxl: "a JPEG XL image",
  ico: "an icon",
  psd: "a Photoshop document",
  mp3: "an MP3 audio file",
  wav: "a WAV audio file",
  flac: "a FLAC audio file",
  mp4: "an MP4 video",
  mov: "a QuickTime video",
  webm: "a WebM video",
  rtf: "an RTF document",
  xml: "an XML file",
  sqlite: "an SQLite database",
};

/** "a" or "an" before an extension read out in capitals: vowels, and letters whose name starts with one (an MP3, an SVG). */
const article = (word: string) => (/^([aeiou]|[fhlmnrsx](?![aeiou]))/i.test(word) ? "an" : "a");
const describe = (ext: string) => DESCRIPTIONS[ext] ?? `${article(ext)} ${ext.toUpperCase()} file`;

/** The binary types file-type detects that are accepted (or a container of accepted ones). */
const ACCEPTED_BINARY = new Set(["png", "apng", "jpg", "gif", "webp", "pdf", "docx", "xlsx", "cfb"]);

function extensionOf(fileName: string): string {
  const dot = fileName.lastIndexOf(".");
  return dot > 0 ? fileName.slice(dot + 1).toLowerCase() : "";
}

/** The accepted format a file name's extension names, if any (".jpg" -> jpeg, ".htm" -> html). */
function formatNamedBy(extension: string): ImageFormat | DocumentFormat | undefined {
  const aliases: Record<string, ImageFormat | DocumentFormat> = { jpg: "jpeg", jpe: "jpeg", jfif: "jpeg", htm: "html", markdown: "md" };
  const format = aliases[extension] ?? extension;
  return (IMAGE_FORMATS as readonly string[]).includes(format) || (DOCUMENT_FORMATS as readonly string[]).includes(format) ? (format as ImageFormat | DocumentFormat) : undefined;
}

const ACCEPTED = "Attach an image (PNG, JPEG, GIF, WebP) or a document (PDF, CSV, DOC, DOCX, XLS, XLSX, HTML, TXT, MD).";

/**
 * Detects an upload's type by content: `file-type` for binary formats; within a container family (OLE for doc and
 * xls, ZIP / OOXML for docx and xlsx) the extension chooses the member, and only among those; csv, html, md and
 * txt must decode as UTF-8, then the extension decides. A name that says another accepted format than the content
 * is a mismatch, refused with a FileTypeError that names the file and what it really is ("fake.pdf is a PNG image,
 * not a PDF."). A name without an accepted extension does not refuse a file whose content is unambiguous (a PNG
 * named "scan" is a PNG); it does refuse an OLE file, since only the extension tells a .doc from a .xls (or a .ppt).
 */
export async function detectFile(bytes: Uint8Array, fileName: string): Promise<DetectedFile> {
  if (bytes.length === 0) throw new FileTypeError(`${fileName} is empty (0 bytes). Choose another file.`);
  const named = formatNamedBy(extensionOf(fileName));
  const namedText = named !== undefined && TEXT_FORMATS.includes(named as DocumentFormat);
  // UTF-16 text starts with a byte order mark that file-type would take for an MPEG audio frame.
  if (namedText && isUtf16(bytes)) throw new FileTypeError(`${fileName} is UTF-16 text, not UTF-8. Save it with UTF-8 encoding and attach it again.`);
  const found = await fileTypeFromBuffer(bytes);
  // Text that starts like a type file-type knows (XML, RTF, "MZ..." read as a program) is still text, when the name
  // says text or nothing: real programs and archives hold NUL bytes or invalid UTF-8, so they never pass as text.
  const textUnderneath = found !== undefined && !ACCEPTED_BINARY.has(found.ext) && (!named || namedText) && isText(bytes);
  if (found && !textUnderneath) {
    const really = describe(found.ext);
    const notNamed = named ? `, not ${FORMAT_NAMES[named]}` : "";
    const image = imageFormatOf(found.ext);
    if (image) {
      if (named && named !== image) throw new FileTypeError(`${fileName} is ${really}${notNamed}. Rename it to .${extensionFor(image)}, or choose another file.`);
      return { kind: "image", format: image, mime: `image/${image}` };
    }
    // A family of documents: the extension picks the member, only among the family's.
    const family: readonly DocumentFormat[] | undefined =
      found.ext === "pdf" ? ["pdf"] : found.ext === "cfb" ? ["doc", "xls"] : found.ext === "docx" ? ["docx"] : found.ext === "xlsx" ? ["xlsx"] : undefined;
    if (!family) {
      // Not something Bedrock takes (a plain ZIP, a program, a presentation, audio, ...).
      throw new FileTypeError(named ? `${fileName} is ${really}${notNamed}. ${ACCEPTED}` : `${fileName} is ${really}, which cannot be attached. ${ACCEPTED}`);
    }
    if (named && family.includes(named as DocumentFormat)) return document(named as DocumentFormat);
    const renameTo = family.map((f) => `.${f}`).join(" or ");
    if (named) throw new FileTypeError(`${fileName} is ${really}${notNamed}. Rename it to ${renameTo}, or choose another file.`);
    if (family.length === 1) return document(family[0]!);
    throw new FileTypeError(
      `${fileName} is an Office 97-2003 file; of those, only Word (.doc) and Excel (.xls) files can be attached, and only its name can tell which it is. If it is one of them, rename it to .doc or .xls.`,
    );
  }
  // No binary signature: a text format, which must be UTF-8 (and not binary data that happens to decode).
  if (!isText(bytes)) {
    if (namedText) throw new FileTypeError(`${fileName} is not UTF-8 text. Save it with UTF-8 encoding and attach it again.`);
    if (named) throw new FileTypeError(`${fileName} is not ${FORMAT_NAMES[named]}: its content is not a type that can be attached. ${ACCEPTED}`);
    throw new FileTypeError(`${fileName} is not an image, a document or UTF-8 text that can be attached. ${ACCEPTED}`);
  }
  if (!named) return document("txt");
  if (namedText) return document(named as DocumentFormat);
  throw new FileTypeError(`${fileName} is a text file, not ${FORMAT_NAMES[named]}. Rename it to .txt, or choose another file.`);
}

const document = (format: DocumentFormat): DetectedFile => ({ kind: "document", format, mime: DOCUMENT_MIME[format] });

function imageFormatOf(ext: string): ImageFormat | undefined {
  if (ext === "jpg") return "jpeg";
  if (ext === "apng") return "png"; // an animated PNG is a PNG
  return IMAGE_FORMATS.includes(ext as ImageFormat) ? (ext as ImageFormat) : undefined;
}

const extensionFor = (format: ImageFormat) => (format === "jpeg" ? "jpg" : format);

/** UTF-8 text: decodes strictly, and has no NUL character (binary data that happens to be valid UTF-8 is not text). */
function isText(bytes: Uint8Array): boolean {
  if (bytes.includes(0)) return false;
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** UTF-16 text with its byte order mark (little- or big-endian) that decodes without error. */
function isUtf16(bytes: Uint8Array): boolean {
  const encoding = bytes[0] === 0xff && bytes[1] === 0xfe ? "utf-16le" : bytes[0] === 0xfe && bytes[1] === 0xff ? "utf-16be" : undefined;
  if (!encoding || bytes.length % 2 !== 0) return false;
  try {
    new TextDecoder(encoding, { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** The content type a stored file is served with. */
export function mimeOf(file: { kind: "image"; format: ImageFormat } | { kind: "document"; format: DocumentFormat }): string {
  return file.kind === "image" ? `image/${file.format}` : DOCUMENT_MIME[file.format];
}
