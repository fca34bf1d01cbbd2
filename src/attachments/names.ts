/**
 * Document names as Bedrock takes them: only letters, digits, single spaces, hyphens, parentheses and square
 * brackets, 1..200 characters, no dots (so no extension). The user's original name is kept for display; this is
 * the name sent. Accents are dropped (é -> e); anything else not allowed becomes a space.
 */
export function modelDocumentName(fileName: string): string {
  const dot = fileName.lastIndexOf(".");
  const stem = dot > 0 ? fileName.slice(0, dot) : fileName;
  const cleaned = stem
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .replace(/[^A-Za-z0-9\-()[\] ]/g, " ")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, 200)
    .trim();
  return cleaned || "document";
}

/** Whether Bedrock accepts a document name (the emulator and the engine's checks share this rule). */
export function isModelDocumentName(name: string): boolean {
  return name.length >= 1 && name.length <= 200 && /^[A-Za-z0-9\-()[\]]+( [A-Za-z0-9\-()[\]]+)*$/.test(name);
}
