import type { DocumentPart, ImagePart, Part, ReasoningPart, RedactedReasoningPart, TextPart, ToolResultPart, ToolUsePart } from "../../api/types.js";
import { assertNever, toolResultText } from "../../../../src/shared/parts.js";

/** What a message shows, in the order it happened, from its parts (stored or streaming alike). */
export type Step =
  | { kind: "text"; part: TextPart }
  /** Reasoning blocks in a row, readable or redacted: one thinking step. */
  | { kind: "thinking"; parts: (ReasoningPart | RedactedReasoningPart)[] }
  /** A tool call with its result (once it arrived); a result whose call is not in the message stands alone. */
  | { kind: "tool"; use: ToolUsePart | undefined; result: ToolResultPart | undefined }
  | { kind: "file"; part: ImagePart | DocumentPart };

export function stepsOf(parts: readonly Part[]): Step[] {
  const results = new Map<string, ToolResultPart>();
  const uses = new Set<string>();
  for (const part of parts) {
    if (part.type === "toolResult") results.set(part.toolUseId, part);
    else if (part.type === "toolUse") uses.add(part.id);
  }
  const steps: Step[] = [];
  for (const part of parts) {
    const last = steps[steps.length - 1];
    switch (part.type) {
      case "text":
        steps.push({ kind: "text", part });
        break;
      case "reasoning":
      case "redactedReasoning":
        if (last?.kind === "thinking") last.parts.push(part);
        else steps.push({ kind: "thinking", parts: [part] });
        break;
      case "toolUse":
        steps.push({ kind: "tool", use: part, result: results.get(part.id) });
        break;
      case "toolResult":
        if (!uses.has(part.toolUseId)) steps.push({ kind: "tool", use: undefined, result: part });
        break;
      case "image":
      case "document":
        steps.push({ kind: "file", part });
        break;
      default:
        assertNever(part, "part");
    }
  }
  return steps;
}

/** The text of a message (what Copy copies and Edit starts from): its text parts, joined with blank lines. */
export function textOf(parts: readonly Part[]): string {
  return parts.flatMap((p) => (p.type === "text" ? [p.text] : [])).join("\n\n");
}

/** A tool result as text, as the stream sends it (one rule in src/shared/parts.ts). */
export { toolResultText };

/** Whether two lists hold the same part objects (a step's group is rebuilt on each render; its parts are not). */
export function sameParts(a: readonly Part[], b: readonly Part[]): boolean {
  return a.length === b.length && a.every((part, i) => part === b[i]);
}
