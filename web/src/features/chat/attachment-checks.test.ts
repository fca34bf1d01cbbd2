import { describe, expect, it } from "vitest";
import type { AttachmentRules, Profile } from "../../api/types.js";
import { acceptAttribute, acceptedSentence, checkFile, checkFiles, formatOf, notAcceptedMessage, pastedName, refusedByProfile, switchNote } from "./attachment-checks.js";

const rules: AttachmentRules = {
  maxBytes: 30_000_000,
  maxSetting: "ATTACHMENT_MAX_MB",
  imageFormats: ["png", "jpeg", "gif", "webp"],
  documentFormats: ["pdf", "csv", "doc", "docx", "xls", "xlsx", "html", "txt", "md"],
};

const profile = (name: string, vision: boolean, document: boolean): Profile =>
  ({ name, modelId: name, region: "us-west-2", default: false, capabilities: { vision, document, tool: true, streaming: true, reasoning: "none" }, price: null, settings: {} }) as unknown as Profile;
const sonnet = profile("Claude 3.7 Sonnet", true, true);
const micro = profile("Amazon Nova Micro", false, true);
const blind = profile("Text Only", false, false);
const profiles = [sonnet, micro, blind];
const context = { rules, profile: sonnet, profiles };
const file = (name: string, size = 1000, type = "") => ({ name, size, type });

describe("formatOf", () => {
  it("takes the extension's format, with its aliases", () => {
    expect(formatOf(file("photo.JPG"), rules)).toEqual({ kind: "image", format: "jpeg" });
    expect(formatOf(file("notes.markdown"), rules)).toEqual({ kind: "document", format: "md" });
    expect(formatOf(file("page.htm"), rules)).toEqual({ kind: "document", format: "html" });
    expect(formatOf(file("Q3 report_v2 (final)..pdf"), rules)).toEqual({ kind: "document", format: "pdf" });
  });
  it("falls back to the MIME type, and leaves a file nothing tells about to the server", () => {
    expect(formatOf(file("image", 10, "image/png"), rules)).toEqual({ kind: "image", format: "png" });
    expect(formatOf(file("scan.dat", 10, "image/webp"), rules)).toEqual({ kind: "image", format: "webp" });
    expect(formatOf(file("README"), rules)).toBeNull();
    expect(formatOf(file(".bashrc"), rules)).toBeNull();
  });
  it("refuses an extension the app does not take", () => {
    expect(formatOf(file("setup.exe", 10, "application/x-msdownload"), rules)).toBeUndefined();
    expect(formatOf(file("photos.zip"), rules)).toBeUndefined();
  });
});

describe("checkFile", () => {
  it("accepts what the profile takes", () => {
    expect(checkFile(file("photo.png"), context)).toBeNull();
    expect(checkFile(file("notes.md"), { ...context, profile: micro })).toBeNull();
  });
  it("names the file and the cap when it is too large (MB = 1,000,000 bytes)", () => {
    expect(checkFile(file("video.png", 31_500_000), context)).toBe("video.png is 31.5 MB; the largest file you can attach is 30 MB (ATTACHMENT_MAX_MB).");
    expect(checkFile(file("ok.png", 30_000_000), context)).toBeNull();
  });
  it("holds documents to Bedrock's 4.5 MB", () => {
    expect(checkFile(file("big.pdf", 5_000_000), context)).toBe("big.pdf is 5 MB; the model's limit for one document is 4.5 MB. Attach a shorter version or split it.");
    // Images are fitted by the server instead.
    expect(checkFile(file("big.jpg", 5_000_000), context)).toBeNull();
  });
  it("names the file and what can be attached when the type is not taken", () => {
    expect(checkFile(file("setup.exe"), context)).toBe(`setup.exe is not a file you can attach (.exe). ${acceptedSentence(rules)}`);
    expect(acceptedSentence(rules)).toBe("Attach an image (PNG, JPEG, GIF, WebP) or a document (PDF, CSV, DOC, DOCX, XLS, XLSX, HTML, TXT, MD).");
  });
  it("refuses empty files", () => {
    expect(checkFile(file("empty.txt", 0), context)).toBe("empty.txt is empty (0 bytes). Choose another file.");
  });
  it("refuses an image on a profile without vision, naming the profiles that take images", () => {
    expect(checkFile(file("photo.png"), { ...context, profile: micro })).toBe('photo.png is an image, and profile "Amazon Nova Micro" does not take images. Profiles that do: Claude 3.7 Sonnet.');
    expect(checkFile(file("a.pdf"), { ...context, profile: blind })).toBe('a.pdf is a document, and profile "Text Only" does not take documents. Profiles that do: Claude 3.7 Sonnet, Amazon Nova Micro.');
    expect(notAcceptedMessage("x.png", "image", micro, [micro])).toBe('x.png is an image, and profile "Amazon Nova Micro" does not take images. No profile of this app does.');
  });
});

describe("checkFiles", () => {
  it("keeps the good files, reports the others in order", () => {
    const result = checkFiles([file("a.png"), file("b.exe"), file("c.md"), file("d.pdf", 0)], [], context);
    expect(result.accepted.map((a) => [a.file.name, a.kind, a.format])).toEqual([
      ["a.png", "image", "png"],
      ["c.md", "document", "md"],
    ]);
    expect(result.errors).toHaveLength(2);
    expect(result.errors[0]).toMatch(/^b\.exe /);
    expect(result.errors[1]).toMatch(/^d\.pdf is empty/);
  });
  it("counts the files already attached against Bedrock's 20 images and 5 documents", () => {
    const result = checkFiles([file("6.pdf"), file("x.png"), file("README")], ["document", "document", "document", "document", "document", null], context);
    expect(result.accepted.map((a) => a.file.name)).toEqual(["x.png", "README"]);
    expect(result.errors).toEqual(["6.pdf was not attached: one message can carry at most 20 images and 5 documents. Send the others in another message."]);
    const images = checkFiles(Array.from({ length: 22 }, (_, i) => file(`${i}.png`)), [], context);
    expect(images.accepted).toHaveLength(20);
    expect(images.errors).toHaveLength(2);
  });
});

describe("profile switches", () => {
  const files = [
    { name: "photo.png", kind: "image" as const },
    { name: "notes.md", kind: "document" as const },
  ];
  it("says which files the new profile cannot take, and keeps them", () => {
    expect(switchNote(files, sonnet, profiles)).toBeNull();
    expect(switchNote(files, micro, profiles)).toBe('Profile "Amazon Nova Micro" does not take images: photo.png stays attached but cannot be sent to it. Remove it, or pick a profile that does (Claude 3.7 Sonnet).');
    expect(switchNote(files, blind, profiles)).toBe('Profile "Text Only" does not take images or documents: photo.png, notes.md stay attached but cannot be sent to it. Remove them, or pick a profile that does (Claude 3.7 Sonnet).');
  });
  it("refuses the send with one error per file", () => {
    expect(refusedByProfile(files, micro, profiles)).toEqual(['photo.png is an image, and profile "Amazon Nova Micro" does not take images. Profiles that do: Claude 3.7 Sonnet.']);
    expect(refusedByProfile(files, sonnet, profiles)).toEqual([]);
  });
});

describe("file picker and pastes", () => {
  it("accepts every extension of every format", () => {
    expect(acceptAttribute(rules)).toBe(".png,.jpg,.jpeg,.gif,.webp,.pdf,.csv,.doc,.docx,.xls,.xlsx,.html,.htm,.txt,.md,.markdown");
  });
  it("names a pasted image that came without a name", () => {
    const when = new Date(2025, 0, 2, 3, 4, 5);
    expect(pastedName({ name: "image.png", type: "image/png" }, when)).toBe("image.png");
    expect(pastedName({ name: "", type: "image/jpeg" }, when)).toBe("Pasted image 2025-01-02 03.04.05.jpg");
    expect(pastedName({ name: "", type: "" }, when)).toBe("Pasted image 2025-01-02 03.04.05.png");
  });
});
