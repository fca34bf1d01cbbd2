import type { Part } from "../engine/types.js";
import type { ToolCallsByTool, ToolCallsByUser, ToolCallsReport } from "../shared/accounts.js";
import type { Db } from "./db.js";
import { newId } from "./ids.js";
import type { ToolCallsTable } from "./schema.js";

/** One tool call of an answer, from its parts. */
export interface ToolCall {
  server: string | null;
  tool: string;
  durationMs: number | null;
  status: ToolCallsTable["status"];
}

/**
 * The tool calls of an answer's parts, in the order the model asked for them: each tool use that has its result
 * (a call cut off before its result is not a call that ran). The names are the MCP ones the engine put on the part;
 * a part without them (a tool the executor did not know) counts under the model's name and no server.
 */
export function toolCallsOf(parts: readonly Part[]): ToolCall[] {
  const results = new Map(parts.flatMap((p) => (p.type === "toolResult" ? [[p.toolUseId, p] as const] : [])));
  return parts.flatMap((part) => {
    if (part.type !== "toolUse") return [];
    const result = results.get(part.id);
    // Not a call that ran: cut off before its result, declined by the user, or stopped while it waited.
    if (!result || result.notRun) return [];
    const known = part.server !== undefined && part.tool !== undefined;
    return [{ server: known ? part.server! : null, tool: known ? part.tool! : part.name, durationMs: result.durationMs ?? null, status: result.status }];
  });
}

/** Records the tool calls of a saved answer (call it in the transaction that saves the answer). */
export async function recordToolCalls(db: Db, answer: { userId: string; threadId: string; messageId: string; generationId: string | null; parts: readonly Part[] }, now: Date): Promise<void> {
  const calls = toolCallsOf(answer.parts);
  if (calls.length === 0) return;
  await db
    .insertInto("tool_calls")
    .values(
      calls.map((call) => ({
        id: newId(now.getTime()),
        user_id: answer.userId,
        thread_id: answer.threadId,
        message_id: answer.messageId,
        generation_id: answer.generationId,
        server: call.server,
        tool: call.tool,
        duration_ms: call.durationMs,
        status: call.status,
        created_at: now.toISOString(),
      })),
    )
    .execute();
}

/**
 * Tool calls since `since`, per user (calls, failures, total time) and per server and tool (calls, failures, median
 * and mean time). Medians need every duration, so rows are summed here rather than in SQL (one query, both engines).
 */
export async function toolCallReport(db: Db, since: Date): Promise<ToolCallsReport> {
  const rows = await db
    .selectFrom("tool_calls")
    .leftJoin("users", "users.id", "tool_calls.user_id")
    .select(["tool_calls.user_id", "users.email", "tool_calls.server", "tool_calls.tool", "tool_calls.duration_ms", "tool_calls.status"])
    .where("tool_calls.created_at", ">=", since.toISOString())
    .execute();
  const users = new Map<string, ToolCallsByUser>();
  const tools = new Map<string, { server: string | null; tool: string; calls: number; errors: number; durations: number[] }>();
  for (const r of rows) {
    const failed = r.status === "error" ? 1 : 0;
    const user = users.get(r.user_id) ?? { userId: r.user_id, email: r.email, calls: 0, errors: 0, totalMs: 0 };
    user.calls += 1;
    user.errors += failed;
    user.totalMs += r.duration_ms ?? 0;
    users.set(r.user_id, user);
    const key = JSON.stringify([r.server, r.tool]);
    const tool = tools.get(key) ?? { server: r.server, tool: r.tool, calls: 0, errors: 0, durations: [] };
    tool.calls += 1;
    tool.errors += failed;
    if (r.duration_ms !== null) tool.durations.push(r.duration_ms);
    tools.set(key, tool);
  }
  const byUser = [...users.values()].sort((a, b) => b.calls - a.calls || (a.email ?? a.userId).localeCompare(b.email ?? b.userId));
  const byTool: ToolCallsByTool[] = [...tools.values()]
    .map(({ durations, ...tool }) => ({ ...tool, p50Ms: median(durations), avgMs: durations.length ? Math.round(durations.reduce((a, b) => a + b, 0) / durations.length) : null }))
    .sort((a, b) => b.calls - a.calls || (a.server ?? "").localeCompare(b.server ?? "") || a.tool.localeCompare(b.tool));
  return { byUser, byTool };
}

/** The middle value (the mean of the two middle ones for an even count), rounded to a millisecond; null for none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return Math.round(sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2);
}
