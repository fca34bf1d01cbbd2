/**
 * Splits markdown into top-level blocks at blank lines outside code fences and $$ math, so a streaming answer
 * re-renders only its last block, and earlier blocks keep their DOM.
 */
export function splitBlocks(text: string): string[] {
  const lines = text.split("\n");
  const blocks: string[] = [];
  let current: string[] = [];
  let fence: string | null = null;
  let math = false;
  for (const line of lines) {
    const trimmed = line.trimStart();
    const fenceMatch = /^(`{3,}|~{3,})/.exec(trimmed);
    if (fence) {
      current.push(line);
      if (fenceMatch && fenceMatch[1]![0] === fence[0] && fenceMatch[1]!.length >= fence.length && trimmed.slice(fenceMatch[1]!.length).trim() === "") fence = null;
      continue;
    }
    if (fenceMatch) {
      fence = fenceMatch[1]!;
      current.push(line);
      continue;
    }
    if (trimmed.startsWith("$$")) {
      const closesOnSameLine = trimmed.length > 2 && trimmed.trimEnd().endsWith("$$") && trimmed.trim() !== "$$";
      if (!closesOnSameLine) math = !math;
      current.push(line);
      continue;
    }
    if (!math && line.trim() === "" && current.length) {
      // Keep list items and indented continuations together with what they continue.
      blocks.push(current.join("\n"));
      current = [];
      continue;
    }
    if (line.trim() !== "" || current.length) current.push(line);
  }
  if (current.length) blocks.push(current.join("\n"));
  return blocks;
}

export const hasMath = (text: string) => /\$\$|\\\(|\\\[|(^|[^\\$])\$[^\s$][^$\n]*\$/.test(text);
