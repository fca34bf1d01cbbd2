import { ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import { solidPng } from "../../test/fixtures/png.js";
import { capText, describeCallError, errorResult, NO_OUTPUT, sniffImage, toToolResult } from "./results.js";

/** A valid PNG of the given size (one colour). */
const png = (width: number, height: number) => solidPng(width, height);
const b64 = (b: Buffer) => b.toString("base64");

describe("toToolResult", () => {
  it("text blocks become text; blank ones are left out", () => {
    expect(toToolResult({ content: [{ type: "text", text: "a" }, { type: "text", text: "  " }, { type: "text", text: "b" }] })).toEqual({
      status: "success",
      content: [
        { type: "text", text: "a" },
        { type: "text", text: "b" },
      ],
    });
  });

  it("an empty result says (no output), also for an error", () => {
    expect(toToolResult({ content: [] })).toEqual({ status: "success", content: [{ type: "text", text: NO_OUTPUT }] });
    expect(toToolResult({})).toEqual({ status: "success", content: [{ type: "text", text: NO_OUTPUT }] });
    expect(toToolResult(null)).toEqual({ status: "success", content: [{ type: "text", text: NO_OUTPUT }] });
    expect(toToolResult({ content: [], isError: true })).toEqual({ status: "error", content: [{ type: "text", text: NO_OUTPUT }] });
  });

  it("isError gives status error with the tool's message", () => {
    expect(toToolResult({ content: [{ type: "text", text: "no such city" }], isError: true })).toEqual({ status: "error", content: [{ type: "text", text: "no such city" }] });
  });

  it("structuredContent becomes json first and the text that repeats it goes; other text stays", () => {
    const structuredContent = { temperature: 21.5, conditions: "sunny" };
    expect(toToolResult({ content: [{ type: "text", text: JSON.stringify(structuredContent, null, 2) }, { type: "text", text: "Have a nice day" }], structuredContent })).toEqual({
      status: "success",
      content: [
        { type: "json", json: structuredContent },
        { type: "text", text: "Have a nice day" },
      ],
    });
    // Bedrock wants an object: anything else is wrapped (2026-07-28 servers may send any JSON).
    expect(toToolResult({ content: [], structuredContent: [1, 2] }).content).toEqual([{ type: "json", json: { result: [1, 2] } }]);
  });

  it("images: png/jpeg/gif/webp by their bytes, re-encoded; the server's MIME type does not decide", () => {
    const image = png(2, 2);
    const result = toToolResult({ content: [{ type: "image", data: b64(image), mimeType: "image/jpeg" }] });
    expect(result.content).toEqual([{ type: "image", format: "png", source: { type: "bytes", data: b64(image) } }]);
    const gif = Buffer.concat([Buffer.from("GIF89a", "latin1"), Buffer.from([1, 0, 1, 0, 0, 0, 0]), Buffer.from([0x3b])]);
    expect(toToolResult({ content: [{ type: "image", data: b64(gif), mimeType: "image/gif" }] }).content[0]).toMatchObject({ type: "image", format: "gif" });
  });

  it("an image Bedrock cannot take is a text note saying why", () => {
    const bmp = Buffer.concat([Buffer.from("BM", "latin1"), Buffer.alloc(100)]);
    const [note] = toToolResult({ content: [{ type: "image", data: b64(bmp), mimeType: "image/bmp" }] }).content;
    expect(note).toEqual({ type: "text", text: "[The tool returned an image (image/bmp, 102 bytes) that was not passed to the model: only PNG, JPEG, GIF and WebP images can be passed.]" });
    const huge = Buffer.concat([png(10, 10), Buffer.alloc(3_800_000)]);
    expect(toToolResult({ content: [{ type: "image", data: b64(huge), mimeType: "image/png" }] }).content[0]).toMatchObject({ type: "text", text: expect.stringMatching(/image \(image\/png, 3\.8 MB\) that was not passed to the model: it is over 3\.75 MB/) });
    const wide = png(9000, 1);
    expect(toToolResult({ content: [{ type: "image", data: b64(wide), mimeType: "image/png" }] }).content[0]).toMatchObject({ type: "text", text: expect.stringMatching(/it is 9000 × 1 pixels, over 8,000 a side/) });
    // A model without vision, and past the most images a result keeps.
    expect(toToolResult({ content: [{ type: "image", data: b64(png(1, 1)), mimeType: "image/png" }] }, { images: false }).content[0]).toMatchObject({ type: "text", text: expect.stringMatching(/does not take images here/) });
    const three = toToolResult({ content: [1, 2, 3].map(() => ({ type: "image", data: b64(png(1, 1)), mimeType: "image/png" })) }, { maxImages: 2 });
    expect(three.content.map((c) => c.type)).toEqual(["image", "image", "text"]);
  });

  it("audio is a note; resource links and resources are text; image blobs are images", () => {
    const result = toToolResult({
      content: [
        { type: "audio", data: b64(Buffer.alloc(2000)), mimeType: "audio/wav" },
        { type: "resource_link", uri: "file:///tmp/a.txt", name: "a.txt", mimeType: "text/plain", description: "A file" },
        { type: "resource", resource: { uri: "demo://text/1", mimeType: "text/plain", text: "hello" } },
        { type: "resource", resource: { uri: "demo://blob/1", mimeType: "text/plain", blob: b64(Buffer.from("blob text")) } },
        { type: "resource", resource: { uri: "demo://img", mimeType: "image/png", blob: b64(png(1, 1)) } },
        { type: "resource", resource: { uri: "demo://zip", mimeType: "application/zip", blob: b64(Buffer.alloc(10)) } },
        { type: "video", data: "" },
      ],
    });
    expect(result.content).toEqual([
      { type: "text", text: "[The tool returned audio (audio/wav, 2.0 KB), which cannot be passed to the model.]" },
      { type: "text", text: "Resource link: a.txt\nURI: file:///tmp/a.txt\nType: text/plain\nDescription: A file" },
      { type: "text", text: "Resource demo://text/1 (text/plain):\nhello" },
      { type: "text", text: "Resource demo://blob/1 (text/plain):\nblob text" },
      { type: "image", format: "png", source: { type: "bytes", data: b64(png(1, 1)) } },
      { type: "text", text: "[The tool returned the resource demo://zip (application/zip, 10 bytes), which cannot be passed to the model.]" },
      { type: "text", text: '[The tool returned a block of type "video", which cannot be passed to the model.]' },
    ]);
  });

  it("cuts a huge text result to the cap with a note saying so", () => {
    const text = "x".repeat(2_000_000);
    const result = toToolResult({ content: [{ type: "text", text }] });
    expect(result.content).toHaveLength(2);
    expect(result.content[0]).toEqual({ type: "text", text: "x".repeat(100_000) });
    expect(result.content[1]).toEqual({ type: "text", text: "[The tool's output was cut: it had 2,000,000 characters of text; the model was given the first 100,000.]" });
    const small = toToolResult({ content: [{ type: "text", text: "abcdef" }, { type: "text", text: "ghij" }] }, { maxChars: 8 });
    expect(small.content).toEqual([
      { type: "text", text: "abcdef" },
      { type: "text", text: "gh" },
      { type: "text", text: "[The tool's output was cut: it had 10 characters of text; the model was given the first 8.]" },
    ]);
  });
});

describe("capText", () => {
  it("counts JSON as its text, keeps images, and never splits a surrogate pair", () => {
    const cut = capText([{ type: "json", json: { a: "b".repeat(20) } }, { type: "image", format: "png", source: { type: "bytes", data: "AA==" } }], 10);
    expect(cut.map((c) => c.type)).toEqual(["text", "image", "text"]);
    expect(cut[0]).toEqual({ type: "text", text: '{"a":"bbbb' });
    expect(capText([{ type: "text", text: "ab😀cd" }], 3)[0]).toEqual({ type: "text", text: "ab" });
    expect(capText([{ type: "text", text: "short" }], 10)).toEqual([{ type: "text", text: "short" }]);
  });
});

describe("errors", () => {
  it("a timeout, a closed connection, an McpError and anything else, in words", () => {
    const ctx = { tool: "hang", server: "hard", timeoutMs: 1500 };
    expect(describeCallError(new McpError(ErrorCode.RequestTimeout, "Request timed out"), ctx)).toBe("The tool hang (server hard) did not answer within 1.5 s.");
    expect(describeCallError(new McpError(ErrorCode.ConnectionClosed, "Connection closed"), ctx)).toBe("The connection to server hard closed while hang was running.");
    expect(describeCallError(new McpError(ErrorCode.InvalidParams, "bad city"), ctx)).toBe("The tool hang (server hard) failed: bad city");
    expect(describeCallError(new TypeError("fetch failed", { cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" }) }), ctx)).toBe(
      "The tool hang (server hard) failed: fetch failed (ECONNREFUSED)",
    );
    expect(errorResult("")).toEqual({ status: "error", content: [{ type: "text", text: "The tool failed without a message." }] });
  });
});

describe("sniffImage", () => {
  it("reads the format and size from the header", () => {
    expect(sniffImage(png(3, 4))).toEqual({ format: "png", width: 3, height: 4 });
    expect(sniffImage(Buffer.from("not an image"))).toBeUndefined();
    expect(sniffImage(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toEqual({ format: "jpeg" });
  });
});
