import type { Message, Part } from "../../engine/types.js";
import type { StoredMessage } from "../../store/messages.js";

/**
 * A thread's messages form a tree through parent pointers: editing a user message or regenerating an answer adds
 * a sibling. The conversation shown and sent is the path from the root to the active leaf.
 */
export function pathTo(messages: readonly StoredMessage[], leafId: string | null): StoredMessage[] {
  const byId = new Map(messages.map((m) => [m.id, m]));
  let current = leafId ? byId.get(leafId) : messages[messages.length - 1];
  const path: StoredMessage[] = [];
  const seen = new Set<string>();
  while (current && !seen.has(current.id)) {
    seen.add(current.id);
    path.push(current);
    current = current.parentId ? byId.get(current.parentId) : undefined;
  }
  return path.reverse();
}

/** The newest leaf below (or at) a message: where a branch switch lands. */
export function latestLeafUnder(messages: readonly StoredMessage[], id: string): string {
  const children = new Map<string, StoredMessage[]>();
  for (const m of messages) {
    if (!m.parentId) continue;
    const list = children.get(m.parentId) ?? [];
    list.push(m);
    children.set(m.parentId, list);
  }
  let current = id;
  for (;;) {
    const next = children.get(current);
    if (!next?.length) return current;
    current = next.reduce((a, b) => (b.createdAt > a.createdAt || (b.createdAt === a.createdAt && b.id > a.id) ? b : a)).id;
  }
}

/** Stored rows -> engine messages: an assistant row holding a tool loop splits into assistant / tool-result messages. */
export function toEngineHistory(path: readonly StoredMessage[]): Message[] {
  const out: Message[] = [];
  for (const row of path) {
    if (row.role === "user") {
      out.push({ role: "user", parts: row.parts });
      continue;
    }
    const status = row.status === "streaming" ? "stopped" : row.status;
    const chunks: { role: "user" | "assistant"; parts: Part[] }[] = [];
    for (const part of row.parts) {
      const role = part.type === "toolResult" ? "user" : "assistant";
      const last = chunks[chunks.length - 1];
      if (last && last.role === role) last.parts.push(part);
      else chunks.push({ role, parts: [part] });
    }
    chunks.forEach((chunk, i) => {
      const isLast = i === chunks.length - 1;
      out.push(
        chunk.role === "user"
          ? { role: "user", parts: chunk.parts }
          : { role: "assistant", parts: chunk.parts, status: isLast ? status : "complete", ...(row.modelId ? { modelId: row.modelId } : {}) },
      );
    });
    if (chunks.length === 0) out.push({ role: "assistant", parts: [], status, ...(row.modelId ? { modelId: row.modelId } : {}) });
  }
  return out;
}
