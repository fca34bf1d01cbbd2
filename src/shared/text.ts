/**
 * NUL characters (U+0000) in free text: PostgreSQL text cannot hold them and no reader sees them, so messages,
 * titles and names have them removed (a pasted message is never refused for one). Identifiers (emails, tokens,
 * ids) are refused instead: a NUL there is a mistake or an attack, never meant.
 */
export function stripNul(text: string): string {
  return text.includes("\u0000") ? text.replaceAll("\u0000", "") : text;
}

export function hasNul(text: string): boolean {
  return text.includes("\u0000");
}
