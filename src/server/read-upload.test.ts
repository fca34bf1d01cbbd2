import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { readUpload, UploadTooLargeError } from "./read-upload.js";

const chunks = (sizes: number[]) => sizes.map((n, i) => Buffer.alloc(n, i + 1));
const stream = (parts: Buffer[], truncated = false) => Object.assign(Readable.from(parts), { truncated });

describe("readUpload", () => {
  it.each([
    ["a hint a little larger than the file (the multipart framing)", 300_500],
    ["a hint smaller than the file: the buffer grows", 1_000],
    ["no hint", undefined],
    ["a hint that is not a number", Number.NaN],
  ])("returns exactly the bytes sent, in order, with %s", async (_, hint) => {
    const parts = chunks([65_536, 65_536, 100_000, 68_928]);
    const bytes = await readUpload(stream(parts), hint, 1_000_000);
    expect(bytes.equals(Buffer.concat(parts))).toBe(true);
  });

  it("never sizes its buffer past the limit, whatever Content-Length claims", async () => {
    const bytes = await readUpload(stream(chunks([10])), 5_000_000_000, 1_000);
    expect(bytes.length).toBe(10);
    expect(bytes.buffer.byteLength).toBeLessThanOrEqual(64 * 1024);
  });

  it("rejects a stream cut off at the limit", async () => {
    await expect(readUpload(stream(chunks([1_000]), true), 2_000, 1_000)).rejects.toBeInstanceOf(UploadTooLargeError);
  });
});
