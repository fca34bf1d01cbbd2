import { Writable } from "node:stream";

/** A log destination for buildApp's `logStream` that keeps every line the server writes. */
export class LogLines extends Writable {
  readonly text: string[] = [];

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.text.push(...String(chunk).split("\n").filter(Boolean));
    done();
  }

  /** Everything logged so far, as one string (to look for a word anywhere). */
  all(): string {
    return this.text.join("\n");
  }

  /** The parsed JSON lines. */
  entries(): Array<Record<string, any>> {
    return this.text.map((line) => JSON.parse(line) as Record<string, any>);
  }

  /** The `req` of each "incoming request" line whose URL starts with `path`. */
  requests(path: string): Array<{ method: string; url: string; host: string; remoteAddress: string }> {
    return this.entries()
      .filter((e) => e["msg"] === "incoming request" && String(e["req"]?.url).startsWith(path))
      .map((e) => e["req"]);
  }
}
