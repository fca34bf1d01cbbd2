import { searchWords } from "./search-words.js";

/** A piece of stored text shown for a search result; `marks` are [start, end) ranges of `text` to highlight. */
export interface Snippet {
  text: string;
  marks: [number, number][];
}

/**
 * The ranges of `text` (as stored, not normalized) whose words match a word of `query` as the search does: the
 * normalized word starts with the normalized query word ("Antarctica" and "Ántártica" for "antar"). Whole words
 * are marked.
 */
export function markTerms(text: string, query: string): [number, number][] {
  const terms = searchWords(query);
  if (!terms.length) return [];
  const marks: [number, number][] = [];
  // Marks are kept with their letters ("café" typed as e + U+0301 is one word), as searchWords removes them.
  for (const match of text.matchAll(/[\p{L}\p{N}\p{M}]+/gu)) {
    const words = searchWords(match[0]);
    if (words.some((w) => terms.some((t) => w.startsWith(t)))) marks.push([match.index, match.index + match[0].length]);
  }
  return marks;
}

/**
 * About `width` characters of `text` around its first matching word, whitespace collapsed, cut at word boundaries,
 * with "…" where text was left out; undefined when no word matches.
 */
export function snippetOf(text: string, query: string, width = 160): Snippet | undefined {
  const flat = text.replace(/\s+/g, " ").trim();
  const marks = markTerms(flat, query);
  const first = marks[0];
  if (!first) return undefined;
  // A short lead-in: a narrow list shows two lines, and the match should be in them.
  let start = Math.max(0, first[0] - Math.floor(width / 8));
  if (start > 0) {
    const space = flat.indexOf(" ", start);
    start = space !== -1 && space < first[0] ? space + 1 : start;
  }
  let end = Math.min(flat.length, start + width);
  if (end < flat.length) {
    const space = flat.lastIndexOf(" ", end);
    end = space > first[1] ? space : Math.max(end, first[1]);
  }
  const head = start > 0 ? "…" : "";
  const tail = end < flat.length ? "…" : "";
  const shift = head.length - start;
  return {
    text: head + flat.slice(start, end) + tail,
    marks: marks.filter(([s, e]) => s >= start && e <= end).map(([s, e]) => [s + shift, e + shift]),
  };
}

/** A text cut into plain and marked pieces, in order (for rendering marks). */
export function markedPieces(text: string, marks: readonly [number, number][]): { text: string; marked: boolean }[] {
  const pieces: { text: string; marked: boolean }[] = [];
  let at = 0;
  for (const [s, e] of marks) {
    if (s > at) pieces.push({ text: text.slice(at, s), marked: false });
    pieces.push({ text: text.slice(s, e), marked: true });
    at = e;
  }
  if (at < text.length) pieces.push({ text: text.slice(at), marked: false });
  return pieces;
}
