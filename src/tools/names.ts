import { createHash } from "node:crypto";

/**
 * MCP tool names → the names Bedrock is given, and back.
 *
 * Bedrock takes `^[a-zA-Z0-9_-]{1,64}$` (reference/bedrock-api.md 1.4); MCP allows up to 128 characters of
 * `[A-Za-z0-9_.-]` and, in practice, anything. A tool is named `server__tool`, each part sanitized; a name that is
 * too long, or that two tools would share, is shortened and ends in `_` + a short hash of the (server, tool) pair,
 * so the same servers and tools always give the same names, whatever order they are listed in.
 */

export const BEDROCK_TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
export const MAX_TOOL_NAME_LENGTH = 64;
/** Between the server's part and the tool's part of a name. */
export const NAME_SEPARATOR = "__";
const HASH_LENGTH = 8;

export interface ToolRef {
  server: string;
  tool: string;
}

export interface MappedTool extends ToolRef {
  /** The name Bedrock sees. */
  name: string;
}

/** A name table for one user's tools, sorted by Bedrock name (so the tool list is the same bytes every turn). */
export interface ToolNames {
  readonly entries: readonly MappedTool[];
  /** The Bedrock name of a tool, or undefined when it is not in the table. */
  toBedrock(server: string, tool: string): string | undefined;
  /** The server and MCP tool behind a Bedrock name, or undefined. */
  fromBedrock(name: string): ToolRef | undefined;
}

/** One part of a name: ASCII letters, digits, `_` and `-` only (accents dropped, other runs of characters become `_`). */
export function sanitizeNamePart(text: string): string {
  const ascii = text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
  const clean = ascii.replace(/[^a-zA-Z0-9_-]+/g, "_");
  return clean === "" || /^_+$/.test(clean) ? "x" : clean;
}

/** The stable short hash of a (server, tool) pair: `length` lowercase hex digits. */
export function nameHash(server: string, tool: string, length = HASH_LENGTH): string {
  return createHash("sha256").update(server).update("\u0000").update(tool).digest("hex").slice(0, length);
}

function hashed(base: string, ref: ToolRef, length: number): string {
  const suffix = `_${nameHash(ref.server, ref.tool, length)}`;
  return `${base.slice(0, MAX_TOOL_NAME_LENGTH - suffix.length)}${suffix}`;
}

const key = (server: string, tool: string) => `${server}\u0000${tool}`;

/**
 * Maps every (server, tool) pair to a unique Bedrock name. Pairs listed twice count once. Names are a pure function
 * of the set of pairs: a plain `server__tool` when it is valid and no other pair gives the same, otherwise a
 * shortened, hashed form (every pair of a clash is hashed, so none is favoured by the order it came in).
 */
export function mapToolNames(refs: Iterable<ToolRef>): ToolNames {
  const unique = new Map<string, ToolRef>();
  for (const ref of refs) unique.set(key(ref.server, ref.tool), { server: ref.server, tool: ref.tool });
  const pairs = [...unique.values()].sort((a, b) => compare(a.server, b.server) || compare(a.tool, b.tool));

  const bases = new Map<string, number>();
  const baseOf = new Map<ToolRef, string>();
  for (const ref of pairs) {
    const base = `${sanitizeNamePart(ref.server)}${NAME_SEPARATOR}${sanitizeNamePart(ref.tool)}`;
    baseOf.set(ref, base);
    bases.set(base, (bases.get(base) ?? 0) + 1);
  }

  const taken = new Set<string>();
  const plain: [ToolRef, string][] = [];
  const needHash: ToolRef[] = [];
  for (const ref of pairs) {
    const base = baseOf.get(ref)!;
    if (base.length <= MAX_TOOL_NAME_LENGTH && bases.get(base) === 1) plain.push([ref, base]);
    else needHash.push(ref);
  }
  for (const [, name] of plain) taken.add(name);
  const named: MappedTool[] = plain.map(([ref, name]) => ({ ...ref, name }));
  for (const ref of needHash) {
    // A hashed name that meets another name (a chance in 4 billion) takes a longer hash; pairs are in a fixed order.
    let length = HASH_LENGTH;
    let name = hashed(baseOf.get(ref)!, ref, length);
    while (taken.has(name) && length < 40) name = hashed(baseOf.get(ref)!, ref, ++length);
    taken.add(name);
    named.push({ ...ref, name });
  }
  named.sort((a, b) => compare(a.name, b.name));

  const forward = new Map(named.map((t) => [key(t.server, t.tool), t.name]));
  const reverse = new Map(named.map((t) => [t.name, { server: t.server, tool: t.tool }]));
  return {
    entries: named,
    toBedrock: (server, tool) => forward.get(key(server, tool)),
    fromBedrock: (name) => {
      const ref = reverse.get(name);
      return ref ? { ...ref } : undefined;
    },
  };
}

/** Code-unit order, the same on every machine and locale (unlike localeCompare). */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
