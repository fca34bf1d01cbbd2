import { fileTypeFromBuffer } from "file-type";
import { describe, expect, it } from "vitest";
import * as files from "../../test/fixtures/files.js";
import { detectFile, FileTypeError, mimeOf } from "./detect.js";

/** Type detection by content (issue 10): never by the name alone, and a mismatch names the file and what it is. */
async function refusal(bytes: Uint8Array, name: string): Promise<string> {
  const error = await detectFile(bytes, name).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FileTypeError);
  return (error as Error).message;
}

describe("detectFile: every accepted type, from its content", () => {
  it("the sample files are what file-type says they are (real containers, not lookalikes)", async () => {
    expect((await fileTypeFromBuffer(files.docx()))?.ext).toBe("docx");
    expect((await fileTypeFromBuffer(files.xlsx()))?.ext).toBe("xlsx");
    expect((await fileTypeFromBuffer(files.doc()))?.ext).toBe("cfb");
    expect((await fileTypeFromBuffer(files.xls()))?.ext).toBe("cfb");
    expect((await fileTypeFromBuffer(files.pdf()))?.ext).toBe("pdf");
  });

  it.each(["diagram.png", "photo.jpg", "anim.gif", "picture.webp", "report.pdf", "data.csv", "old.doc", "notes.docx", "old.xls", "budget.xlsx", "page.html", "notes.txt", "readme.md"])(
    "%s is detected as what it is",
    async (name) => {
      const sample = (await files.acceptedSamples()).find((s) => s.name === name)!;
      const detected = await detectFile(sample.bytes, sample.name);
      expect(detected).toEqual({ kind: sample.kind, format: sample.format, mime: mimeOf({ kind: sample.kind, format: sample.format } as Parameters<typeof mimeOf>[0]) });
    },
  );

  it("names the image and document MIME types the download serves", async () => {
    expect(await detectFile(await files.jpeg(), "photo.JPEG")).toEqual({ kind: "image", format: "jpeg", mime: "image/jpeg" });
    expect(await detectFile(files.docx(), "notes.docx")).toMatchObject({ mime: "application/vnd.openxmlformats-officedocument.wordprocessingml.document" });
    expect(await detectFile(files.xls(), "old.xls")).toMatchObject({ mime: "application/vnd.ms-excel" });
  });

  it("reads the extension case-insensitively and knows its aliases (.JPG, .jpeg, .htm, .markdown)", async () => {
    expect((await detectFile(await files.jpeg(), "IMG_0001.JPG")).format).toBe("jpeg");
    expect((await detectFile(await files.jpeg(), "photo.jpeg")).format).toBe("jpeg");
    expect((await detectFile(files.html(), "index.htm")).format).toBe("html");
    expect((await detectFile(files.md(), "README.markdown")).format).toBe("md");
  });

  it("an animated GIF is a GIF, an animated PNG (APNG) is a PNG", async () => {
    expect(await detectFile(await files.animatedGif(), "anim.gif")).toMatchObject({ kind: "image", format: "gif" });
    // file-type reports 'apng' for a PNG with an acTL chunk before its image data.
    const png = Buffer.from(await files.png());
    const actl = Buffer.from("000000086163544c0000000100000000", "hex"); // length 8, "acTL", 1 frame, loop forever (CRC not checked by detection)
    const apng = Buffer.concat([png.subarray(0, 33), actl, Buffer.alloc(4), png.subarray(33)]);
    expect((await fileTypeFromBuffer(apng))?.ext).toBe("apng");
    expect(await detectFile(apng, "moving.png")).toMatchObject({ kind: "image", format: "png", mime: "image/png" });
  });

  it("content decides when the name has no accepted extension (a PNG named 'scan', a PDF named 'report.final')", async () => {
    expect((await detectFile(await files.png(), "scan")).format).toBe("png");
    expect((await detectFile(files.pdf(), "report.final")).format).toBe("pdf");
    expect((await detectFile(files.docx(), "notes")).format).toBe("docx");
  });

  it("UTF-8 text with another or no extension is plain text (.json, .log, no extension)", async () => {
    expect((await detectFile(files.txt(), "data.json")).format).toBe("txt");
    expect((await detectFile(files.txt(), "LICENSE")).format).toBe("txt");
  });

  it("text that starts like a format file-type knows (XML, RTF, \"MZ\" read as a program) is still text", async () => {
    const xhtml = new TextEncoder().encode('<?xml version="1.0" encoding="UTF-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><body>x</body></html>\n');
    expect((await fileTypeFromBuffer(xhtml))?.ext).toBe("xml");
    expect((await detectFile(xhtml, "page.xhtml.html")).format).toBe("html");
    expect((await detectFile(xhtml, "feed.xml")).format).toBe("txt");
    expect((await detectFile(new TextEncoder().encode("{\\rtf1\\ansi hello}"), "note.txt")).format).toBe("txt");
    const mz = new TextEncoder().encode("MZ Holdings, minutes of the meeting\n");
    expect((await fileTypeFromBuffer(mz))?.ext).toBe("exe");
    expect((await detectFile(mz, "minutes.txt")).format).toBe("txt");
  });

  it("awkward names do not change detection (two dots, spaces, parentheses)", async () => {
    expect((await detectFile(files.pdf(), files.AWKWARD_NAME)).format).toBe("pdf");
  });
});

describe("detectFile: a container family, and the extension picks the member only within it", () => {
  it("an OLE compound file named .doc is a doc, named .xls an xls", async () => {
    expect((await detectFile(files.doc(), "old.doc")).format).toBe("doc");
    expect((await detectFile(files.xls(), "old.xls")).format).toBe("xls");
    // Only the name tells them apart: the same bytes follow the name within the family.
    expect((await detectFile(files.doc(), "renamed.xls")).format).toBe("xls");
  });

  it("an OLE file without .doc or .xls is refused: only the name could tell which (a .ppt is OLE too)", async () => {
    expect(await refusal(files.doc(), "deck.ppt")).toBe(
      "deck.ppt is an Office 97-2003 file; of those, only Word (.doc) and Excel (.xls) files can be attached, and only its name can tell which it is. If it is one of them, rename it to .doc or .xls.",
    );
  });

  it("an OLE file named as another accepted type is refused with both choices", async () => {
    expect(await refusal(files.xls(), "budget.pdf")).toBe("budget.pdf is an Office 97-2003 file (.doc or .xls), not a PDF. Rename it to .doc or .xls, or choose another file.");
    expect(await refusal(files.doc(), "notes.docx")).toBe(
      "notes.docx is an Office 97-2003 file (.doc or .xls), not a Word document (.docx). Rename it to .doc or .xls, or choose another file.",
    );
  });

  it("an OOXML package named .docx is a docx, named .xlsx an xlsx", async () => {
    expect((await detectFile(files.docx(), "notes.docx")).format).toBe("docx");
    expect((await detectFile(files.xlsx(), "budget.xlsx")).format).toBe("xlsx");
  });

  it("a docx named .xlsx is refused (the package says which it is; the name cannot override it)", async () => {
    expect(await refusal(files.docx(), "budget.xlsx")).toBe("budget.xlsx is a Word document (.docx), not an Excel workbook (.xlsx). Rename it to .docx, or choose another file.");
    expect(await refusal(files.xlsx(), "notes.docx")).toBe("notes.docx is an Excel workbook (.xlsx), not a Word document (.docx). Rename it to .xlsx, or choose another file.");
  });

  it("a plain ZIP is not an Office document, whatever its name", async () => {
    expect(await refusal(files.plainZip(), "archive.zip")).toBe(
      "archive.zip is a ZIP archive, which cannot be attached. Attach an image (PNG, JPEG, GIF, WebP) or a document (PDF, CSV, DOC, DOCX, XLS, XLSX, HTML, TXT, MD).",
    );
    expect(await refusal(files.plainZip(), "notes.docx")).toBe(
      "notes.docx is a ZIP archive, not a Word document (.docx). Attach an image (PNG, JPEG, GIF, WebP) or a document (PDF, CSV, DOC, DOCX, XLS, XLSX, HTML, TXT, MD).",
    );
  });
});

describe("detectFile: a name that lies about the content is refused, naming the file and what it really is", () => {
  it("fake.pdf is a PNG image, not a PDF", async () => {
    const { name, bytes } = await files.pngNamedPdf();
    expect(await refusal(bytes, name)).toBe("fake.pdf is a PNG image, not a PDF. Rename it to .png, or choose another file.");
  });

  it.each<[string, () => Promise<Uint8Array> | Uint8Array, string, string]>([
    ["a JPEG named .png", () => files.jpeg(), "photo.png", "photo.png is a JPEG image, not a PNG image. Rename it to .jpg, or choose another file."],
    ["a WebP named .gif", () => files.webp(), "anim.gif", "anim.gif is a WebP image, not a GIF image. Rename it to .webp, or choose another file."],
    ["a GIF named .webp", () => files.gif(), "pic.webp", "pic.webp is a GIF image, not a WebP image. Rename it to .gif, or choose another file."],
    ["a PDF named .txt", () => files.pdf(), "notes.txt", "notes.txt is a PDF, not a text file. Rename it to .pdf, or choose another file."],
    ["a PDF named .jpg", () => files.pdf(), "scan.jpg", "scan.jpg is a PDF, not a JPEG image. Rename it to .pdf, or choose another file."],
    ["a docx named .md", () => files.docx(), "readme.md", "readme.md is a Word document (.docx), not a Markdown file. Rename it to .docx, or choose another file."],
    ["text named .pdf", () => files.txt(), "report.pdf", "report.pdf is a text file, not a PDF. Rename it to .txt, or choose another file."],
    ["text named .xlsx", () => files.csv(), "table.xlsx", "table.xlsx is a text file, not an Excel workbook (.xlsx). Rename it to .txt, or choose another file."],
    ["HTML named .png", () => files.html(), "page.png", "page.png is a text file, not a PNG image. Rename it to .txt, or choose another file."],
  ])("%s", async (_what, make, name, message) => {
    expect(await refusal(await make(), name)).toBe(message);
  });
});

describe("detectFile: what cannot be attached at all", () => {
  it("a program (.exe) is refused with what it is and what can be attached", async () => {
    expect(await refusal(files.exe(), "setup.exe")).toBe(
      "setup.exe is a Windows program (.exe), which cannot be attached. Attach an image (PNG, JPEG, GIF, WebP) or a document (PDF, CSV, DOC, DOCX, XLS, XLSX, HTML, TXT, MD).",
    );
    expect(await refusal(files.exe(), "invoice.pdf")).toMatch(/^invoice\.pdf is a Windows program \(\.exe\), not a PDF\. Attach an image/);
  });

  it("a type without a description is named by its extension, with the right article", async () => {
    const xz = Buffer.concat([Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), Buffer.alloc(32)]);
    expect(await refusal(xz, "logs.xz")).toMatch(/^logs\.xz is an XZ file, which cannot be attached\./);
    const wasm = Buffer.concat([Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]), Buffer.alloc(32)]);
    expect(await refusal(wasm, "module.wasm")).toMatch(/^module\.wasm is a WASM file, which cannot be attached\./);
  });

  it("text that is not UTF-8 is refused as such: Latin-1, UTF-16", async () => {
    expect(await refusal(files.latin1Text(), "notes.txt")).toBe("notes.txt is not UTF-8 text. Save it with UTF-8 encoding and attach it again.");
    expect(await refusal(files.latin1Text(), "table.csv")).toBe("table.csv is not UTF-8 text. Save it with UTF-8 encoding and attach it again.");
    expect(await refusal(files.utf16Text(), "notes.md")).toBe("notes.md is UTF-16 text, not UTF-8. Save it with UTF-8 encoding and attach it again.");
  });

  it("unrecognised bytes are refused, saying what the name claimed when it names an accepted type", async () => {
    const junk = new Uint8Array([0x00, 0xff, 0x13, 0x37, 0x80, 0x81, 0x00, 0x42]);
    expect(await refusal(junk, "data.bin")).toBe(
      "data.bin is not an image, a document or UTF-8 text that can be attached. Attach an image (PNG, JPEG, GIF, WebP) or a document (PDF, CSV, DOC, DOCX, XLS, XLSX, HTML, TXT, MD).",
    );
    expect(await refusal(junk, "broken.pdf")).toMatch(/^broken\.pdf is not a PDF: its content is not a type that can be attached\./);
  });

  it("binary data that happens to be valid UTF-8 (NUL bytes) is not text", async () => {
    expect(await refusal(new Uint8Array(64), "zeros.txt")).toBe("zeros.txt is not UTF-8 text. Save it with UTF-8 encoding and attach it again.");
  });

  it("an empty file is refused as empty", async () => {
    expect(await refusal(new Uint8Array(0), "empty.txt")).toBe("empty.txt is empty (0 bytes). Choose another file.");
  });
});
