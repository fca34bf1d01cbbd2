/** A response body went over the size cap. A TypeError, like fetch's own network errors. */
export class ResponseTooLargeError extends TypeError {
  override readonly name = "ResponseTooLargeError";
  readonly code = "ERR_RESPONSE_TOO_LARGE";
  constructor(
    readonly url: string,
    readonly limitBytes: number,
    what: string,
  ) {
    super(`refused: ${what} from ${url} is over the limit of ${formatBytes(limitBytes)}`);
  }
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

/**
 * Passes a body through until it exceeds `limitBytes`, then errors the stream (and cancels the source).
 * For `text/event-stream` the cap applies to each event (the bytes between blank lines), not the whole stream: an MCP server's
 * GET stream may live for hours, while one huge event is the memory risk.
 */
export function limitBody(body: ReadableStream<Uint8Array>, options: { limitBytes: number; eventStream: boolean; url: string }): ReadableStream<Uint8Array> {
  const { limitBytes, url } = options;
  let total = 0;
  let eventBytes = 0;
  let lineBreaks = 0;
  let afterCR = false;
  const transform = options.eventStream
    ? (chunk: Uint8Array): boolean => {
        for (const byte of chunk) {
          if (byte === 0x0a && afterCR) {
            afterCR = false;
            continue;
          }
          afterCR = byte === 0x0d;
          if (byte === 0x0a || byte === 0x0d) {
            lineBreaks++;
            if (lineBreaks >= 2) eventBytes = 0;
          } else {
            lineBreaks = 0;
            if (++eventBytes > limitBytes) return false;
          }
        }
        return true;
      }
    : (chunk: Uint8Array): boolean => (total += chunk.byteLength) <= limitBytes;
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        if (transform(chunk)) controller.enqueue(chunk);
        else controller.error(new ResponseTooLargeError(url, limitBytes, options.eventStream ? "an event of the event stream" : "the response body"));
      },
    }),
  );
}
