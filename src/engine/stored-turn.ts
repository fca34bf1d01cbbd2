import type { Message, MessageStatus, Part } from "./types.js";

/**
 * How a conversation is stored: one row per message a person sees. A user row holds the question's parts; an
 * assistant row holds the whole turn that answered it, tool rounds included, in order (the assistant message of
 * each model call, then the tool results it asked for). `toStoredParts` and `fromStoredRow` are the two directions,
 * a pure pair: fromStoredRow(row with toStoredParts(messages)) gives the messages back.
 */
export interface StoredRow {
  role: "user" | "assistant";
  parts: Part[];
  /** An answer still streaming when it was read (a crashed process) counts as stopped. */
  status: MessageStatus | "streaming";
  modelId: string | null;
}

/** A turn's messages (assistant and tool results) as the parts of its one stored row. */
export function toStoredParts(messages: readonly Message[]): Part[] {
  return messages.flatMap((m) => m.parts);
}

/**
 * A stored row as engine messages: a user row is one message; an assistant row splits into an assistant message
 * per model call and a user message of tool results between them. Every call but the last finished (it asked for
 * tools); the last one, when the row ends with it, has the row's status. A row that ends with tool results (the
 * next call never answered) or has no parts yields no message for what did not arrive.
 */
export function fromStoredRow(row: StoredRow): Message[] {
  if (row.role === "user") return [{ role: "user", parts: row.parts }];
  const status: MessageStatus = row.status === "streaming" ? "stopped" : row.status;
  const model = row.modelId ? { modelId: row.modelId } : {};
  const out: Message[] = [];
  for (const part of row.parts) {
    const role = part.type === "toolResult" ? "user" : "assistant";
    const last = out[out.length - 1];
    if (last && last.role === role) last.parts.push(part);
    else out.push(role === "user" ? { role, parts: [part] } : { role, parts: [part], status: "complete", ...model });
  }
  const last = out[out.length - 1];
  if (last?.role === "assistant") last.status = status;
  return out;
}

/** The rows of a conversation path as the engine's history. */
export function historyFromRows(rows: readonly StoredRow[]): Message[] {
  return rows.flatMap(fromStoredRow);
}
