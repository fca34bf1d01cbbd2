import sharp from "sharp";

// libvips keeps recent operations and their pixels cached (up to 50 MB by default); an upload is processed once, so
// caching only keeps a decoded photo's memory after its request ended.
sharp.cache(false);
import type { ImageFormat } from "../shared/parts.js";
import { FileTypeError } from "./detect.js";
import { IMAGE_MAX_BYTES, IMAGE_MAX_PIXELS, MB } from "./limits.js";

/** An image as it will be sent: within the limits, in a format Bedrock takes, and what was done to it, in words. */
export interface FittedImage {
  bytes: Uint8Array;
  format: ImageFormat;
  /** Size in pixels as displayed (EXIF orientation applied); of the first frame for an animation. */
  width: number;
  height: number;
  /** Set only when the image was changed, e.g. "photo.jpg was resized to 4,000 × 2,667 to fit the model's limit of 8,000 px per side." */
  notice?: string;
}

/** The limits an image is fitted to: Bedrock's by default. */
export interface ImageLimits {
  /** Largest image in bytes. */
  maxBytes: number;
  /** Largest width and largest height in pixels. */
  maxSide: number;
}

export const BEDROCK_IMAGE_LIMITS: ImageLimits = { maxBytes: IMAGE_MAX_BYTES, maxSide: IMAGE_MAX_PIXELS };

/** An image that cannot be read (damaged, truncated) or is too large to process; a FileTypeError, so it is refused like one. */
export class ImageReadError extends FileTypeError {
  override readonly name = "ImageReadError";
}

/** Most pixels decoded at once (sharp's own default guard against decompression bombs, about 268 million). */
const MAX_INPUT_PIXELS = 0x3fff * 0x3fff;
const FORMAT_NAMES: Record<ImageFormat, string> = { png: "PNG", jpeg: "JPEG", gif: "GIF", webp: "WebP" };
/** Quality of the first lossy re-encode, the lowest one tried before resizing further, and the step between. */
const START_QUALITY = 80;
const MIN_QUALITY = 60;
const QUALITY_STEP = 10;
const MAX_ATTEMPTS = 10;

/** An image's size in pixels as displayed (EXIF orientation applied; the first frame of an animation). Rejects with sharp's error if unreadable. */
export async function imageSize(bytes: Uint8Array): Promise<{ width: number; height: number }> {
  const meta = await sharp(bytes).metadata();
  return { width: meta.autoOrient.width, height: meta.autoOrient.height };
}

/**
 * Fits an image to Bedrock's limits (3.75 MB, 8,000 px per side), keeping a format Bedrock accepts:
 * - within the limits: returned untouched (the same bytes, no notice);
 * - over 8,000 px on a side: resized to fit, keeping its aspect ratio;
 * - over 3.75 MB: JPEG and WebP are re-encoded at a lower quality (80, 70, 60), then resized further, until they
 *   fit; PNG is first compressed harder (lossless), then converted to JPEG (transparency on white) only if still too
 *   large; a GIF over the limits keeps its first frame, as PNG, or as JPEG if the PNG is still too large.
 * EXIF orientation is applied to any image it re-encodes (the metadata is not kept). The notice says what was done
 * and which limit required it.
 */
export async function fitImage(bytes: Uint8Array, format: ImageFormat, fileName: string, limits: ImageLimits = BEDROCK_IMAGE_LIMITS): Promise<FittedImage> {
  const meta = await sharp(bytes)
    .metadata()
    .catch(() => {
      throw new ImageReadError(`${fileName} could not be read as a ${FORMAT_NAMES[format]} image. It may be damaged; choose another file.`);
    });
  const width = meta.autoOrient.width;
  const height = meta.autoOrient.height;
  if (width * height > MAX_INPUT_PIXELS) {
    throw new ImageReadError(`${fileName} is too large to process: ${count(width)} × ${count(height)} pixels (at most ${Math.floor(MAX_INPUT_PIXELS / 1e6)} million). Choose a smaller image.`);
  }
  const overPixels = Math.max(width, height) > limits.maxSide;
  const overBytes = bytes.length > limits.maxBytes;
  if (!overPixels && !overBytes) return { bytes, format, width, height };

  const frames = meta.pages ?? 1;
  const hasAlpha = meta.hasAlpha;
  /** Scale that fits the pixel limit (1 when only the bytes are over). */
  const pixelScale = Math.min(1, limits.maxSide / Math.max(width, height));
  const encode = async (target: ImageFormat, scale: number, quality: number) => {
    // The first frame only (sharp's default for animations); orientation applied; never enlarged.
    // failOn "error": a photo with a minor flaw (a warning) still converts; a truncated or broken one does not.
    let pipeline = sharp(bytes, { autoOrient: true, limitInputPixels: MAX_INPUT_PIXELS, failOn: "error" });
    if (scale < 1) {
      // The long side decides (the short one follows the aspect ratio), so an image fitted to the pixel limit is
      // exactly that long.
      const long = Math.max(1, Math.min(limits.maxSide, Math.round(Math.max(width, height) * scale)));
      pipeline = pipeline.resize(width >= height ? { width: long, withoutEnlargement: true } : { height: long, withoutEnlargement: true });
    }
    // optimiseCoding off: optimal Huffman tables make libjpeg keep every DCT coefficient of the image in memory
    // (about 50 MB more at the peak for a 3,600 × 2,400 photo) to save about 5% of the bytes.
    if (target === "jpeg") pipeline = (hasAlpha ? pipeline.flatten({ background: "#ffffff" }) : pipeline).jpeg({ quality, optimiseCoding: false });
    else if (target === "webp") pipeline = pipeline.webp({ quality, effort: 3 });
    else if (target === "png") pipeline = pipeline.png({ compressionLevel: 9, adaptiveFiltering: true });
    else pipeline = pipeline.gif();
    const out = await pipeline.toBuffer({ resolveWithObject: true }).catch(() => {
      throw new ImageReadError(`${fileName} could not be read as a ${FORMAT_NAMES[format]} image. It may be damaged; choose another file.`);
    });
    return { bytes: out.data as Uint8Array, width: out.info.width, height: out.info.height, format: target, scale };
  };
  type Encoded = Awaited<ReturnType<typeof encode>>;

  let result: Encoded | undefined;
  let bytesBound = overBytes;
  // Lossless first for PNG and GIF: a PNG at the size that fits the pixel limit.
  if (format === "png" || format === "gif") {
    const lossless = await encode("png", pixelScale, 100);
    if (lossless.bytes.length <= limits.maxBytes) result = lossless;
    else bytesBound = true;
  }
  if (!result) {
    const target: ImageFormat = format === "webp" ? "webp" : "jpeg";
    let quality = START_QUALITY;
    let scale = pixelScale;
    // Far over the byte limit in the same lossy format: start at the size the bytes suggest instead of full size.
    if (target === format && bytes.length > 2 * limits.maxBytes) scale = Math.min(scale, Math.sqrt((0.9 * limits.maxBytes) / bytes.length));
    /** The smallest scale tried that was still too large, and its size: bounds the refinement below. */
    let tooLarge: { scale: number; bytes: number } | undefined;
    for (let attempt = 0; attempt < MAX_ATTEMPTS && !result; attempt++) {
      const out = await encode(target, scale, quality);
      if (out.bytes.length <= limits.maxBytes) {
        result = out;
        break;
      }
      if (!tooLarge || scale < tooLarge.scale) tooLarge = { scale, bytes: out.bytes.length };
      const ratio = limits.maxBytes / out.bytes.length;
      if (ratio > 0.75 && quality > MIN_QUALITY) quality -= QUALITY_STEP;
      else scale *= Math.sqrt(ratio) * 0.95;
    }
    // Resized for the bytes and landed far under the limit: up to two tries at a size closer to it, from the
    // sizes seen so far (bytes grow as scale^k; k = 2 until two sizes are known).
    for (let refine = 0; refine < 2 && result && result.scale < pixelScale && result.bytes.length < 0.6 * limits.maxBytes; refine++) {
      const k = tooLarge && tooLarge.scale > result.scale ? Math.log(tooLarge.bytes / result.bytes.length) / Math.log(tooLarge.scale / result.scale) : 2;
      let next = result.scale * Math.pow((0.9 * limits.maxBytes) / result.bytes.length, 1 / Math.max(1, k));
      next = Math.min(next, pixelScale, tooLarge ? tooLarge.scale * 0.98 : Infinity);
      if (next <= result.scale * 1.02) break;
      const larger = await encode(target, next, quality);
      if (larger.bytes.length <= limits.maxBytes) result = larger;
      else if (!tooLarge || next < tooLarge.scale) tooLarge = { scale: next, bytes: larger.bytes.length };
    }
    if (!result) throw new ImageReadError(`${fileName} could not be reduced to ${size(limits.maxBytes)}. Choose a smaller image.`);
  }

  const actions: string[] = [];
  if (frames > 1) actions.push("reduced to its first frame");
  if (result.format !== format) actions.push(`converted to ${FORMAT_NAMES[result.format]}`);
  if (result.width !== width || result.height !== height) actions.push(`resized to ${count(result.width)} × ${count(result.height)}`);
  if (bytesBound) actions.push(`re-encoded to ${size(result.bytes.length)}`);
  const pixelLimit = `${count(limits.maxSide)} px per side`;
  const limit = overPixels && bytesBound ? `the model's limits of ${pixelLimit} and ${size(limits.maxBytes)}` : overPixels ? `the model's limit of ${pixelLimit}` : `the model's ${size(limits.maxBytes)} limit`;
  return { bytes: result.bytes, format: result.format, width: result.width, height: result.height, notice: `${fileName} was ${list(actions)} to fit ${limit}.` };
}

const count = (n: number) => n.toLocaleString("en-US");
/** Bytes in MB (1,000,000 bytes), rounded down so a size under a limit never reads as over it; KB under 1 MB. */
const size = (bytes: number) =>
  bytes >= MB ? `${(Math.floor(bytes / (MB / 100)) / 100).toLocaleString("en-US", { maximumFractionDigits: 2 })} MB` : `${Math.max(1, Math.floor(bytes / 1000))} KB`;
const list = (items: string[]) => (items.length <= 1 ? (items[0] ?? "re-encoded") : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`);
