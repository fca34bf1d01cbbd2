import { isIPv4, isIPv6 } from "node:net";

/** An IP address as bytes (4 or 16), with the form it was written in. */
export interface ParsedIp {
  readonly family: 4 | 6;
  readonly bytes: Uint8Array;
  /** Dotted quad for IPv4; RFC 5952 text (lowercase, longest zero run as ::) for IPv6, without a zone. */
  readonly canonical: string;
}

/**
 * Parses what node:net accepts as an IP address (`isIP`), plus brackets around IPv6 (`[::1]`), a zone (`fe80::1%eth0`,
 * ignored: it picks an interface, not an address) and the legacy IPv4 forms that getaddrinfo and the WHATWG URL parser turn
 * into an address (`127.1`, `0x7f.0.0.1`, `0177.0.0.1`, `2130706433`), read the way they read them (a leading 0 is octal).
 * Anything else (a host name) is undefined.
 */
export function parseIp(input: string): ParsedIp | undefined {
  let text = input.trim();
  if (text.startsWith("[") && text.endsWith("]")) text = text.slice(1, -1);
  if (isIPv6(text)) return parseIPv6(text);
  const v4 = isIPv4(text) ? text.split(".").map(Number) : legacyIPv4(text);
  if (!v4) return undefined;
  const bytes = Uint8Array.from(v4);
  return { family: 4, bytes, canonical: v4.join(".") };
}

/** The IPv4 address in 4 bytes at `offset` of `bytes`, as a dotted quad. */
export function ipv4At(bytes: Uint8Array, offset: number): ParsedIp {
  const slice = bytes.slice(offset, offset + 4);
  return { family: 4, bytes: slice, canonical: Array.from(slice).join(".") };
}

/** Whether the first `bits` bits of `bytes` equal those of `prefix` (bytes of the same family). */
export function inPrefix(bytes: Uint8Array, prefix: Uint8Array, bits: number): boolean {
  for (let bit = 0; bit < bits; bit += 8) {
    const left = Math.min(8, bits - bit);
    const mask = (0xff << (8 - left)) & 0xff;
    if (((bytes[bit / 8] ?? 0) & mask) !== ((prefix[bit / 8] ?? 0) & mask)) return false;
  }
  return true;
}

function parseIPv6(text: string): ParsedIp {
  const address = text.split("%")[0] ?? "";
  const groups: number[] = [];
  const [head = "", tail] = address.split("::");
  const read = (part: string): number[] =>
    part === ""
      ? []
      : part.split(":").flatMap((group) => {
          if (!group.includes(".")) return [Number.parseInt(group, 16)];
          const [a = 0, b = 0, c = 0, d = 0] = group.split(".").map(Number);
          return [(a << 8) | b, (c << 8) | d];
        });
  const before = read(head);
  const after = tail === undefined ? [] : read(tail);
  groups.push(...before, ...new Array<number>(8 - before.length - after.length).fill(0), ...after);
  const bytes = new Uint8Array(16);
  groups.forEach((group, index) => {
    bytes[index * 2] = group >> 8;
    bytes[index * 2 + 1] = group & 0xff;
  });
  return { family: 6, bytes, canonical: ipv6Text(groups) };
}

/** RFC 5952 §4: lowercase hex without leading zeros, the longest run of two or more zero groups (the first on a tie) as ::. */
function ipv6Text(groups: number[]): string {
  let bestStart = -1;
  let bestLength = 1;
  for (let start = 0; start < 8; start++) {
    let length = 0;
    while (start + length < 8 && groups[start + length] === 0) length++;
    if (length > bestLength) [bestStart, bestLength] = [start, length];
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
}

/** The WHATWG URL "IPv4 parser" (the same reading as inet_aton): 1 to 4 parts, each decimal, 0x hex or 0-led octal. */
function legacyIPv4(text: string): number[] | undefined {
  const parts = text.split(".");
  if (parts.length > 1 && parts.at(-1) === "") parts.pop();
  if (parts.length === 0 || parts.length > 4) return undefined;
  const numbers: number[] = [];
  for (const part of parts) {
    const value = legacyNumber(part);
    if (value === undefined) return undefined;
    numbers.push(value);
  }
  const last = numbers.pop() ?? 0;
  if (numbers.some((value) => value > 255) || last >= 256 ** (4 - numbers.length)) return undefined;
  const bytes = [...numbers];
  for (let index = 3 - numbers.length; index >= 0; index--) bytes.push(Math.floor(last / 256 ** index) % 256);
  return bytes;
}

function legacyNumber(part: string): number | undefined {
  if (/^0x[0-9a-f]*$/i.test(part)) return part.length === 2 ? 0 : Number.parseInt(part.slice(2), 16);
  if (/^0[0-7]+$/.test(part)) return Number.parseInt(part.slice(1), 8);
  if (/^(0|[1-9][0-9]*)$/.test(part)) return Number(part);
  return undefined;
}
