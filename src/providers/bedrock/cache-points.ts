import type { CachePointBlock, ContentBlock, ConverseStreamCommandInput, Message } from "@aws-sdk/client-bedrock-runtime";
import type { PromptCaching } from "../../config/resolve.js";
import { assertNever } from "../../engine/types.js";

/** Bedrock's limit, counted over the whole request: tools, system and messages (reference/bedrock-prompt-caching.md section 1). */
export const MAX_CACHE_POINTS = 4;

/** Where one checkpoint goes: after the tool list, after the system prompt, or before block `at` of message `message`. */
export type CachePlace = { in: "tools" } | { in: "system" } | { in: "message"; message: number; at: number };

/**
 * Where the prompt-caching checkpoints of one Converse request go (the one place that decides it), so that each
 * request reads what the one before it wrote and writes what the next one will read:
 * 1. at the end of the newest user message: the whole prompt so far, read by the next request (the next turn, or the
 *    next call of a tool round, whose newest user message is the tool results);
 * 2. at the end of the user message before it: where the previous request put its newest checkpoint, so this request
 *    reads that prefix (found at a checkpoint on every model; Claude would also look ~20 blocks back, Nova would not);
 * 3. after the system prompt, and 4. after the tools (where the profile allows a checkpoint there): the prefix that
 *    stays the same for the whole thread (tools are sorted, the thread's system prompt is resolved once).
 * That is at most four, Bedrock's limit. Every checkpoint has the profile's TTL, so a 1-hour one never follows a
 * 5-minute one. In a message, a checkpoint never goes right after a reasoning block or a non-PDF document (Bedrock
 * refuses both): it goes before such trailing blocks, and a message with nothing else takes none. It is never the
 * first block of a message, and never inside a tool result (after a toolResult block, at message level, is fine).
 */
export function cachePlaces(input: Pick<ConverseStreamCommandInput, "messages" | "system" | "toolConfig">, caching: PromptCaching): CachePlace[] {
  const messages = input.messages ?? [];
  const places: CachePlace[] = [];
  const users = userMessagesFromNewest(messages);
  const newest = users[0];
  if (newest !== undefined) {
    const at = cachePointIndex(messages[newest]!.content ?? []);
    if (at !== undefined) places.push({ in: "message", message: newest, at });
  }
  // The previous request's newest checkpoint: the nearest earlier user message that could take one.
  for (const index of users.slice(1)) {
    const at = cachePointIndex(messages[index]!.content ?? []);
    if (at === undefined) continue;
    places.push({ in: "message", message: index, at });
    break;
  }
  if (input.system?.some((block) => block.cachePoint === undefined)) places.push({ in: "system" });
  if (caching.tools && input.toolConfig?.tools?.some((tool) => tool.cachePoint === undefined)) places.push({ in: "tools" });
  return places.slice(0, MAX_CACHE_POINTS);
}

/**
 * Where a checkpoint may go in a message's content: after its last block that may be followed by one (anything but a
 * reasoning block or a non-PDF document), so before the trailing blocks that may not; undefined when there is no
 * such block (a checkpoint first in a message, or alone, is refused too).
 */
export function cachePointIndex(content: readonly ContentBlock[]): number | undefined {
  let end = content.length;
  while (end > 0 && !takesCachePointAfter(content[end - 1]!)) end--;
  return end > 0 ? end : undefined;
}

function takesCachePointAfter(block: ContentBlock): boolean {
  if (block.reasoningContent !== undefined || block.cachePoint !== undefined) return false;
  if (block.document !== undefined && block.document.format !== "pdf") return false;
  return true;
}

/** Indexes of the user messages, newest first. */
function userMessagesFromNewest(messages: readonly Message[]): number[] {
  const out: number[] = [];
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i]!.role === "user") out.push(i);
  return out;
}

export function cachePointBlock(ttl: PromptCaching["ttl"]): CachePointBlock {
  // No ttl is the 5-minute default; "1h" only where the profile's config says the model takes it.
  return ttl === "1h" ? { type: "default", ttl: "1h" } : { type: "default" };
}

/** The request with its checkpoints (cachePlaces); the input is not changed. */
export function withCachePoints(input: ConverseStreamCommandInput, caching: PromptCaching): ConverseStreamCommandInput {
  const places = cachePlaces(input, caching);
  if (places.length === 0) return input;
  const point = cachePointBlock(caching.ttl);
  const out: ConverseStreamCommandInput = { ...input };
  const messages = input.messages ? [...input.messages] : undefined;
  for (const place of places) {
    switch (place.in) {
      case "tools":
        out.toolConfig = { ...input.toolConfig, tools: [...(input.toolConfig?.tools ?? []), { cachePoint: point }] };
        break;
      case "system":
        out.system = [...(input.system ?? []), { cachePoint: point }];
        break;
      case "message": {
        const message = messages![place.message]!;
        const content = [...(message.content ?? [])];
        content.splice(place.at, 0, { cachePoint: point });
        messages![place.message] = { ...message, content };
        break;
      }
      default:
        assertNever(place, "cache place");
    }
  }
  if (messages) out.messages = messages;
  return out;
}
