import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as files from "../../test/fixtures/files.js";
import { FileTypeError } from "./detect.js";
import { fitImage, imageSize, ImageReadError } from "./fit-image.js";
import { DOCUMENT_MAX_BYTES, IMAGE_MAX_BYTES, IMAGE_MAX_PIXELS, MAX_DOCUMENTS, MAX_IMAGES } from "./limits.js";

/** Images fitted to Bedrock's limits with sharp (issue 10): resized, re-encoded, told in words; small ones untouched. */
const timings: string[] = [];
async function timed<T>(what: string, run: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    return await run();
  } finally {
    timings.push(`${what}: ${Math.round(performance.now() - start)} ms`);
  }
}
afterAll(() => console.info(`fit-image timings (sharp concurrency ${sharp.concurrency()}):\n  ${timings.join("\n  ")}`));

describe("limits", () => {
  it("are Bedrock's, with MB meaning 1,000,000 bytes", () => {
    expect({ IMAGE_MAX_BYTES, IMAGE_MAX_PIXELS, DOCUMENT_MAX_BYTES, MAX_IMAGES, MAX_DOCUMENTS }).toEqual({
      IMAGE_MAX_BYTES: 3_750_000,
      IMAGE_MAX_PIXELS: 8_000,
      DOCUMENT_MAX_BYTES: 4_500_000,
      MAX_IMAGES: 20,
      MAX_DOCUMENTS: 5,
    });
  });
});

describe("imageSize", () => {
  it("reads the size in pixels of each accepted format", async () => {
    expect(await imageSize(await files.png(30, 20))).toEqual({ width: 30, height: 20 });
    expect(await imageSize(await files.jpeg(31, 21))).toEqual({ width: 31, height: 21 });
    expect(await imageSize(await files.gif(32, 22))).toEqual({ width: 32, height: 22 });
    expect(await imageSize(await files.webp(33, 23))).toEqual({ width: 33, height: 23 });
  });

  it("gives the size as displayed (EXIF orientation applied) and a frame's size for an animation", async () => {
    const rotated = await sharp(await files.jpeg(40, 10)).withMetadata({ orientation: 6 }).jpeg().toBuffer();
    expect(await imageSize(rotated)).toEqual({ width: 10, height: 40 });
    expect(await imageSize(await files.animatedGif(50, 20, 3))).toEqual({ width: 50, height: 20 });
  });
});

describe("fitImage: within the limits", () => {
  it.each<[string, () => Promise<Uint8Array>, "png" | "jpeg" | "gif" | "webp"]>([
    ["PNG", () => files.png(), "png"],
    ["JPEG", () => files.jpeg(), "jpeg"],
    ["GIF", () => files.gif(), "gif"],
    ["WebP", () => files.webp(), "webp"],
    ["animated GIF", () => files.animatedGif(), "gif"],
  ])("a small %s is untouched: the same bytes, no notice", async (_what, make, format) => {
    const bytes = await make();
    const fitted = await fitImage(bytes, format, `small.${format}`);
    expect(fitted.bytes).toBe(bytes);
    expect(fitted).toEqual({ bytes, format, width: 64, height: 48 });
    expect("notice" in fitted).toBe(false);
  });

  it("an image exactly 8,000 px wide and at the byte limit is untouched", async () => {
    const bytes = await files.widePng(8_000, 10);
    const fitted = await fitImage(bytes, "png", "edge.png", { maxBytes: bytes.length, maxSide: 8_000 });
    expect(fitted.bytes).toBe(bytes);
    expect(fitted.notice).toBeUndefined();
  });
});

describe("fitImage: over 8,000 px on a side", () => {
  it("a 9,000 px wide PNG is resized to 8,000 px wide, keeping its aspect ratio and its format", async () => {
    const bytes = await files.widePng(9_000, 300);
    const fitted = await timed("9,000 × 300 PNG resized", () => fitImage(bytes, "png", "panorama.png"));
    expect(fitted).toMatchObject({ format: "png", width: 8_000, height: 267 });
    expect(await imageSize(fitted.bytes)).toEqual({ width: 8_000, height: 267 });
    expect((await sharp(fitted.bytes).metadata()).format).toBe("png");
    expect(fitted.notice).toBe("panorama.png was resized to 8,000 × 267 to fit the model's limit of 8,000 px per side.");
  });

  it("a tall JPEG is resized on its long side", async () => {
    const tall = await sharp({ create: { width: 300, height: 9_000, channels: 3, background: "#336699" } }).jpeg().toBuffer();
    const fitted = await timed("300 × 9,000 JPEG resized", () => fitImage(tall, "jpeg", "tall.jpg"));
    expect(fitted).toMatchObject({ format: "jpeg", width: 267, height: 8_000 });
    expect(fitted.notice).toBe("tall.jpg was resized to 267 × 8,000 to fit the model's limit of 8,000 px per side.");
  });

  it("a GIF over the pixel limit keeps its first frame, as a PNG", async () => {
    const fitted = await fitImage(await files.animatedGif(90, 30, 3), "gif", "anim.gif", { maxBytes: IMAGE_MAX_BYTES, maxSide: 60 });
    expect(fitted).toMatchObject({ format: "png", width: 60, height: 20 });
    const meta = await sharp(fitted.bytes).metadata();
    expect([meta.format, meta.pages ?? 1]).toEqual(["png", 1]);
    expect(fitted.notice).toBe("anim.gif was reduced to its first frame, converted to PNG and resized to 60 × 20 to fit the model's limit of 60 px per side.");
  });
});

describe("fitImage: over 3.75 MB", () => {
  let photo: Uint8Array;
  beforeAll(async () => {
    photo = await timed("large photo built (7,999 × 5,333 JPEG of noise)", () => files.largePhoto());
  }, 60_000);

  it("the large photo is 7,999 × 5,333 and far over 3.75 MB", async () => {
    expect(await imageSize(photo)).toEqual({ width: 7_999, height: 5_333 });
    expect(photo.length).toBeGreaterThan(4 * IMAGE_MAX_BYTES);
  });

  it("is re-encoded (and, being noise, resized) until it fits, and is still a JPEG, in reasonable time", async () => {
    const start = performance.now();
    const fitted = await timed("large photo fitted", () => fitImage(photo, "jpeg", "photo.jpg"));
    const elapsed = performance.now() - start;
    expect(fitted.format).toBe("jpeg");
    expect(fitted.bytes.length).toBeLessThanOrEqual(IMAGE_MAX_BYTES);
    // Not needlessly small: the size is refined towards the limit.
    expect(fitted.bytes.length).toBeGreaterThan(0.6 * IMAGE_MAX_BYTES);
    const meta = await sharp(fitted.bytes).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(["jpeg", fitted.width, fitted.height]);
    // The aspect ratio is kept (within a pixel of rounding).
    expect(Math.abs(fitted.height - (fitted.width * 5_333) / 7_999)).toBeLessThan(1.5);
    const mb = (Math.floor(fitted.bytes.length / 10_000) / 100).toLocaleString("en-US", { maximumFractionDigits: 2 });
    expect(fitted.notice).toBe(`photo.jpg was resized to ${fitted.width.toLocaleString("en-US")} × ${fitted.height.toLocaleString("en-US")} and re-encoded to ${mb} MB to fit the model's 3.75 MB limit.`);
    expect(elapsed).toBeLessThan(15_000);
  }, 60_000);

  it("a JPEG a little over the limit is re-encoded at a lower quality, not resized", async () => {
    // A smooth photo-like gradient: quality, not size, is what brings it under the limit.
    const gradient = await sharp({ create: { width: 1200, height: 800, channels: 3, background: "#808080", noise: { type: "gaussian", mean: 128, sigma: 12 } } }).jpeg({ quality: 100 }).toBuffer();
    const limit = Math.floor(gradient.length * 0.8);
    const fitted = await timed("1,200 × 800 JPEG re-encoded", () => fitImage(gradient, "jpeg", "photo.jpg", { maxBytes: limit, maxSide: 8_000 }));
    expect(fitted).toMatchObject({ format: "jpeg", width: 1200, height: 800 });
    expect(fitted.bytes.length).toBeLessThanOrEqual(limit);
    expect(fitted.notice).toMatch(/^photo\.jpg was re-encoded to \d+ KB to fit the model's \d+ KB limit\.$/);
  });

  it("a WebP over the limit stays a WebP", async () => {
    const noisy = await sharp(await files.noisePng(600, 400)).webp({ quality: 100 }).toBuffer();
    const fitted = await fitImage(noisy, "webp", "pic.webp", { maxBytes: Math.floor(noisy.length / 3), maxSide: 8_000 });
    expect(fitted.format).toBe("webp");
    expect((await sharp(fitted.bytes).metadata()).format).toBe("webp");
    expect(fitted.bytes.length).toBeLessThanOrEqual(Math.floor(noisy.length / 3));
  });

  it("a PNG is first compressed harder, losslessly, and stays a PNG when that is enough", async () => {
    const loose = await sharp({ create: { width: 800, height: 600, channels: 3, background: "#abcdef" } }).png({ compressionLevel: 0 }).toBuffer();
    const fitted = await fitImage(loose, "png", "flat.png", { maxBytes: Math.floor(loose.length / 10), maxSide: 8_000 });
    expect(fitted).toMatchObject({ format: "png", width: 800, height: 600 });
    expect(fitted.notice).toMatch(/^flat\.png was re-encoded to \d+ KB to fit the model's \d+ KB limit\.$/);
  });

  it("a PNG still too large after compression is converted to JPEG (transparency on white)", async () => {
    const noisy = await files.noisePng(700, 500);
    const withAlpha = await sharp(noisy).ensureAlpha(0.5).png({ compressionLevel: 1 }).toBuffer();
    const limit = 300_000;
    const fitted = await timed("700 × 500 noise PNG converted to JPEG", () => fitImage(withAlpha, "png", "screenshot.png", { maxBytes: limit, maxSide: 8_000 }));
    expect(fitted.format).toBe("jpeg");
    const meta = await sharp(fitted.bytes).metadata();
    expect([meta.format, meta.hasAlpha]).toEqual(["jpeg", false]);
    expect(fitted.bytes.length).toBeLessThanOrEqual(limit);
    expect(fitted.notice).toMatch(/^screenshot\.png was converted to JPEG(, resized to [\d,]+ × [\d,]+)? and re-encoded to \d+ KB to fit the model's 300 KB limit\.$/);
  });

  it("over both limits, the notice names both", async () => {
    const noisy = await files.noisePng(900, 300);
    const fitted = await fitImage(noisy, "png", "wide.png", { maxBytes: 150_000, maxSide: 800 });
    expect(fitted.format).toBe("jpeg");
    expect(fitted.width).toBeLessThanOrEqual(800);
    expect(fitted.bytes.length).toBeLessThanOrEqual(150_000);
    expect(fitted.notice).toMatch(/^wide\.png was converted to JPEG, resized to [\d,]+ × [\d,]+ and re-encoded to \d+ KB to fit the model's limits of 800 px per side and 150 KB\.$/);
  });
});

describe("fitImage: EXIF orientation and unreadable images", () => {
  it("applies EXIF orientation when it re-encodes, so the photo is not shown on its side", async () => {
    const sideways = await sharp(await files.jpeg(200, 100)).withMetadata({ orientation: 6 }).jpeg().toBuffer();
    const fitted = await fitImage(sideways, "jpeg", "phone.jpg", { maxBytes: IMAGE_MAX_BYTES, maxSide: 100 });
    expect([fitted.width, fitted.height]).toEqual([50, 100]);
    const meta = await sharp(fitted.bytes).metadata();
    expect([meta.width, meta.height, meta.orientation]).toEqual([50, 100, undefined]);
  });

  it("refuses an image it cannot read, as a FileTypeError naming the file", async () => {
    const error = await fitImage(new Uint8Array([1, 2, 3, 4]), "png", "broken.png").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImageReadError);
    expect(error).toBeInstanceOf(FileTypeError);
    expect((error as Error).message).toBe("broken.png could not be read as a PNG image. It may be damaged; choose another file.");
  });

  it("refuses a truncated image it has to re-encode", async () => {
    const truncated = (await files.jpeg(800, 600)).subarray(0, 600);
    const error = await fitImage(truncated, "jpeg", "cut.jpg", { maxBytes: 100, maxSide: 8_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImageReadError);
    expect((error as Error).message).toBe("cut.jpg could not be read as a JPEG image. It may be damaged; choose another file.");
  });
});
