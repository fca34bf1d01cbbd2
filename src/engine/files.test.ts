import { describe, expect, it } from "vitest";
import { ChatError } from "./errors.js";
import { resolveFiles } from "./files.js";
import type { Message } from "./types.js";

const attachment = (id: string) => ({ type: "attachment" as const, id });

describe("resolveFiles: attachments to bytes when a request is built", () => {
  const messages: Message[] = [
    { role: "user", parts: [{ type: "text", text: "look" }, { type: "image", format: "png", source: attachment("a1") }, { type: "document", format: "pdf", name: "spec", source: { type: "s3", uri: "s3://b/k" } }] },
    { role: "assistant", parts: [{ type: "toolUse", id: "t", name: "shot", input: {} }] },
    { role: "user", parts: [{ type: "toolResult", toolUseId: "t", status: "success", content: [{ type: "image", format: "jpeg", source: attachment("a2") }] }] },
  ];

  it("resolves every attachment reference, in question parts and in tool results, and leaves other sources alone", async () => {
    const asked: string[] = [];
    const resolved = await resolveFiles(messages, async (id) => (asked.push(id), { type: "bytes", data: `bytes-of-${id}` }));
    expect(asked.sort()).toEqual(["a1", "a2"]);
    expect(resolved[0]!.parts[1]).toEqual({ type: "image", format: "png", source: { type: "bytes", data: "bytes-of-a1" } });
    expect(resolved[0]!.parts[2]).toBe(messages[0]!.parts[2]);
    expect(resolved[1]).toBe(messages[1]);
    expect(resolved[2]!.parts[0]).toMatchObject({ content: [{ type: "image", source: { type: "bytes", data: "bytes-of-a2" } }] });
    // The stored messages are not rewritten.
    expect(messages[0]!.parts[1]).toMatchObject({ source: attachment("a1") });
  });

  it("fails with a readable error when a shell gives no resolver", async () => {
    await expect(resolveFiles(messages, undefined)).rejects.toBeInstanceOf(ChatError);
  });

  it("costs nothing for a conversation without attachments", async () => {
    const text: Message[] = [{ role: "user", parts: [{ type: "text", text: "hi" }] }];
    const out = await resolveFiles(text, undefined);
    expect(out).toEqual(text);
    expect(out[0]).toBe(text[0]);
  });
});
