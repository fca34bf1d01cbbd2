/**
 * Search words of a text: letters and digits, lower-cased, diacritics removed. Both databases index exactly these
 * words (joined by spaces), so SQLite FTS5 and PostgreSQL's `simple` parser see the same tokens and return the same
 * results. Shared with the web app, which marks the same words in titles.
 */
export function searchWords(text: string): string[] {
  return text.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}
