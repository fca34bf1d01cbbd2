/**
 * A thread's messages form a tree through parent pointers: editing a question or regenerating an answer adds a
 * sibling. The conversation shown and sent is the path from the root to the active leaf. One walk for the server
 * and the web app.
 */
export interface TreeNode {
  id: string;
  parentId: string | null;
  createdAt: string;
}

/** The path from the root to `leafId` (the last message when null), oldest first; a cycle ends the walk. */
export function pathTo<M extends TreeNode>(messages: readonly M[], leafId: string | null): M[] {
  const byId = new Map(messages.map((m) => [m.id, m]));
  let current = leafId ? byId.get(leafId) : messages[messages.length - 1];
  const path: M[] = [];
  const seen = new Set<string>();
  while (current && !seen.has(current.id)) {
    seen.add(current.id);
    path.push(current);
    current = current.parentId ? byId.get(current.parentId) : undefined;
  }
  return path.reverse();
}

/** The newest leaf below (or at) a message: where a branch switch lands. */
export function latestLeafUnder<M extends TreeNode>(messages: readonly M[], id: string): string {
  const children = new Map<string, M[]>();
  for (const m of messages) {
    if (!m.parentId) continue;
    const list = children.get(m.parentId) ?? [];
    list.push(m);
    children.set(m.parentId, list);
  }
  let current = id;
  const seen = new Set<string>();
  for (;;) {
    seen.add(current);
    const next = children.get(current)?.filter((m) => !seen.has(m.id));
    if (!next?.length) return current;
    current = next.reduce((a, b) => (b.createdAt > a.createdAt || (b.createdAt === a.createdAt && b.id > a.id) ? b : a)).id;
  }
}

/** The versions of a message: its siblings (same parent, same role), oldest first. */
export function siblingsOf<M extends TreeNode & { role: string }>(messages: readonly M[], message: M): M[] {
  return messages.filter((m) => m.parentId === message.parentId && m.role === message.role);
}
