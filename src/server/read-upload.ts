import type { Readable } from "node:stream";

/** An upload stream cut off at its size limit (busboy marks it truncated). */
export class UploadTooLargeError extends Error {
  override readonly name = "UploadTooLargeError";
}

/**
 * Reads an uploaded file's stream into one buffer. The request's Content-Length (a few hundred bytes more than the
 * file, for the multipart framing) sizes the buffer up front, so a 30 MB photo costs 30 MB, not its chunks plus a
 * concatenated copy (twice that, at the peak). Without a usable length it grows by doubling. Never reads past
 * `maxBytes`: a stream that was cut off there rejects with UploadTooLargeError.
 */
export async function readUpload(stream: Readable & { truncated?: boolean }, sizeHint: number | undefined, maxBytes: number): Promise<Buffer> {
  let buffer = Buffer.allocUnsafe(Math.max(64 * 1024, Math.min(sizeHint && Number.isFinite(sizeHint) ? sizeHint : 0, maxBytes + 1)));
  let length = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    if (length + chunk.length > buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(buffer.length * 2, length + chunk.length));
      buffer.copy(grown, 0, 0, length);
      buffer = grown;
    }
    chunk.copy(buffer, length);
    length += chunk.length;
  }
  if (stream.truncated) throw new UploadTooLargeError(`the upload is larger than ${maxBytes} bytes`);
  // A view, not a copy: the spare bytes of the hint (the multipart framing) are a few hundred bytes.
  return buffer.subarray(0, length);
}
