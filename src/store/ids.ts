import { randomBytes } from "node:crypto";

let lastMs = 0;
let counter = 0;

/**
 * Time-ordered ids: 12 hex digits of milliseconds, a 4-hex-digit counter that orders ids made in the same
 * millisecond by this process, then 8 random bytes (unguessable).
 */
export function newId(now = Date.now()): string {
  if (now <= lastMs) {
    counter = (counter + 1) & 0xffff;
    now = lastMs;
  } else {
    lastMs = now;
    counter = 0;
  }
  return now.toString(16).padStart(12, "0") + counter.toString(16).padStart(4, "0") + randomBytes(8).toString("hex");
}

export const nowIso = (clock: () => Date = () => new Date()) => clock().toISOString();
