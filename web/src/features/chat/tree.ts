import type { Message } from "../../api/types.js";

/** The conversation shown: the path from the root to the active leaf (same rule as the server). */
export function activePath(messages: readonly Message[], leafId: string | null): Message[] {
  const byId = new Map(messages.map((m) => [m.id, m]));
  let current = leafId ? byId.get(leafId) : messages[messages.length - 1];
  const path: Message[] = [];
  while (current) {
    path.push(current);
    current = current.parentId ? byId.get(current.parentId) : undefined;
  }
  return path.reverse();
}

/** The versions of a message: messages with the same parent and role, oldest first. */
export function versionsOf(messages: readonly Message[], message: Message): Message[] {
  return messages.filter((m) => m.parentId === message.parentId && m.role === message.role);
}

export function textOf(message: Message): string {
  return message.parts.flatMap((p) => (p.type === "text" ? [p.text] : [])).join("");
}

export function reasoningOf(message: Message): { text: string; redacted: boolean } {
  return {
    text: message.parts.flatMap((p) => (p.type === "reasoning" ? [p.text] : [])).join(""),
    redacted: message.parts.some((p) => p.type === "redactedReasoning"),
  };
}
