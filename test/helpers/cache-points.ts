type Json = Record<string, any>;

const isCachePoint = (block: unknown) => typeof block === "object" && block !== null && "cachePoint" in block;

/**
 * A recorded Converse request body without its prompt-caching checkpoints (in the tools, the system prompt and
 * the messages), for tests about something else: the bundled profiles cache by default, and where the checkpoints
 * go is tested on its own (src/providers/bedrock/cache-points.test.ts, test/prompt-caching.test.ts).
 */
export function withoutCachePoints<T extends Json>(body: T): T {
  const out: Json = { ...body };
  if (Array.isArray(body["system"])) out["system"] = body["system"].filter((b: unknown) => !isCachePoint(b));
  if (Array.isArray(body["toolConfig"]?.tools)) out["toolConfig"] = { ...body["toolConfig"], tools: body["toolConfig"].tools.filter((t: unknown) => !isCachePoint(t)) };
  if (Array.isArray(body["messages"])) {
    out["messages"] = body["messages"].map((m: Json) => (Array.isArray(m["content"]) ? { ...m, content: m["content"].filter((b: unknown) => !isCachePoint(b)) } : m));
  }
  return out as T;
}

/** How many checkpoints a request body carries, wherever they are. */
export function cachePointCount(body: Json): number {
  const count = (list: unknown) => (Array.isArray(list) ? list.filter(isCachePoint).length : 0);
  return count(body["system"]) + count(body["toolConfig"]?.tools) + (Array.isArray(body["messages"]) ? body["messages"].reduce((n: number, m: Json) => n + count(m["content"]), 0) : 0);
}
