import { randomFillSync } from "node:crypto";

let lastMs = 0;
let counter = 0;

/** Random bytes drawn 4 KiB at a time: one call into the system's generator per 512 ids, not one per id. */
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;
function randomHex(bytes: number): string {
  if (poolOffset + bytes > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  poolOffset += bytes;
  return pool.toString("hex", poolOffset - bytes, poolOffset);
}

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
  return now.toString(16).padStart(12, "0") + counter.toString(16).padStart(4, "0") + randomHex(8);
}

export const nowIso = (clock: () => Date = () => new Date()) => clock().toISOString();

/** Whether `text` has the shape of an id made by newId (anything else is answered as not found, never queried). */
export function isId(text: string): boolean {
  return /^[0-9a-f]{32}$/.test(text);
}
