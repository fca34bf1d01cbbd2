import { describe, expect, it } from "vitest";
import { CLAUDE, NOVA, profileFrom } from "../../test/helpers/profiles.js";
import { FILES_ONLY_TEXT, fitFilesToRequest } from "./attachment-rules.js";
import type { Message, Part } from "./types.js";

const image = (id: string, fileName?: string): Part => ({ type: "image", format: "png", source: { type: "attachment", id }, ...(fileName ? { fileName } : {}) });
const doc = (id: string, name: string): Part => ({ type: "document", format: "pdf", name, source: { type: "attachment", id }, fileName: `${name}.pdf` });
const user = (...parts: Part[]): Message => ({ role: "user", parts });

describe("fitFilesToRequest: files a request may carry", () => {
  const vision = profileFrom({ ...CLAUDE, vision: true, document: true });
  const blind = profileFrom({ ...NOVA, vision: false, document: true }, "Blind");

  it("leaves a conversation without files as it is", () => {
    const messages = [user({ type: "text", text: "hi" })];
    expect(fitFilesToRequest(messages, vision)).toEqual({ messages, notices: [] });
  });

  it("keeps the newest 20 images, stubs the oldest, and says so", () => {
    const messages = [user({ type: "text", text: "old" }, ...Array.from({ length: 5 }, (_, i) => image(`old${i}`, `old${i}.png`))), user({ type: "text", text: "new" }, ...Array.from({ length: 20 }, (_, i) => image(`new${i}`)))];
    const { messages: out, notices } = fitFilesToRequest(messages, vision);
    expect(out[0]!.parts.slice(1).every((p) => p.type === "text")).toBe(true);
    expect(out[1]!.parts.filter((p) => p.type === "image")).toHaveLength(20);
    expect(notices).toEqual(["Not sent: the 5 oldest files of this chat, since one request carries at most 20 images and 5 documents. The chat keeps them."]);
  });

  it("counts images returned by tools and stubs them for a profile without vision", () => {
    const messages: Message[] = [
      user({ type: "text", text: "take a screenshot" }),
      { role: "assistant", parts: [{ type: "toolUse", id: "t", name: "shot", input: {} }] },
      user({ type: "toolResult", toolUseId: "t", status: "success", content: [{ type: "text", text: "here" }, { type: "image", format: "png", source: { type: "bytes", data: "AAAA" } }] }),
    ];
    const { messages: out, notices } = fitFilesToRequest(messages, blind);
    expect(out[2]!.parts[0]).toEqual({ type: "toolResult", toolUseId: "t", status: "success", content: [{ type: "text", text: "here" }, { type: "text", text: "[a PNG image was attached here; not sent to this model]" }] });
    expect(notices[0]).toMatch(/^Not sent to this model: a PNG image \(profile "Blind" does not take images\)/);
  });

  it("makes document names unique across the request and gives a files-only message its text block", () => {
    const { messages: out } = fitFilesToRequest([user(doc("a", "report")), user({ type: "text", text: "again" }, doc("b", "report"), doc("c", "Report"))], vision);
    expect(out[0]!.parts[0]).toEqual({ type: "text", text: FILES_ONLY_TEXT });
    expect(out.flatMap((m) => m.parts.flatMap((p) => (p.type === "document" ? [p.name] : [])))).toEqual(["report", "report (2)", "Report (3)"]);
  });
});
