import { createHash } from "node:crypto";
import type { ResolvedModelId } from "./models.js";
import { estimateInputTokens, promptBlocks, tokensOf } from "./validate.js";

export type CacheTtl = "5m" | "1h";
const TTL_MS: Record<CacheTtl, number> = { "5m": 5 * 60_000, "1h": 60 * 60_000 };

export interface CacheEntry {
  baseModelId: string;
  /** Estimated tokens of the cached prefix. */
  tokens: number;
  ttl: CacheTtl;
  /** On the emulator's clock (ms); the entry is gone from then on. */
  expiresAt: number;
}

/** What one request's usage reports about the cache; inputTokens is the rest of the input (total = input + read + write). */
export interface CacheUsage {
  inputTokens: number;
  cacheReadInputTokens: number;
  cacheWriteInputTokens: number;
  /** Writes per TTL, 1 hour first, only TTLs written (empty when nothing was written). */
  cacheDetails: { ttl: CacheTtl; inputTokens: number }[];
}

interface Boundary {
  key: string;
  tokens: number;
}

/**
 * Bedrock's prompt cache (reference/bedrock-prompt-caching.md sections 1, 3 and 7), for requests that passed
 * validation. A cached prefix is keyed by the model and the exact content of every block up to a checkpoint, in
 * Bedrock's order (tools, system, messages; cachePoint blocks themselves are no content). A request reads the
 * longest cached prefix found at its checkpoints (and, for Claude, at the block boundaries just before each one),
 * which resets that entry's TTL; it writes each checkpoint beyond the read whose cumulative prefix reaches the
 * model's minimum, billing it the tokens from the read (or the previous write) up to it under its own TTL. Tokens
 * are estimateInputTokens' estimate of the prefix.
 */
export class PromptCache {
  private readonly held = new Map<string, CacheEntry>();

  constructor(private readonly now: () => number) {}

  /** Reads and writes the cache for one request; undefined when it has no checkpoint (the usage then has no cache fields). */
  use(body: Record<string, unknown>, { baseId, model }: ResolvedModelId): CacheUsage | undefined {
    const caching = model.caching;
    const blocks = promptBlocks(body);
    if (!caching || !blocks.some((b) => b.cachePoint)) return undefined;
    const now = this.now();
    for (const [key, entry] of this.held) if (entry.expiresAt <= now) this.held.delete(key);

    // boundaries[n]: the prefix of the first n content blocks; points: the boundary each checkpoint closes.
    const boundaries: Boundary[] = [{ key: baseId, tokens: 0 }];
    const points: { at: number; ttl: CacheTtl }[] = [];
    let chars = 0;
    let media = 0;
    for (const b of blocks) {
      if (b.cachePoint) {
        const ttl: CacheTtl = b.cachePoint["ttl"] === "1h" && caching.oneHour === "supported" ? "1h" : "5m";
        if (points.at(-1)?.at !== boundaries.length - 1) points.push({ at: boundaries.length - 1, ttl });
        continue;
      }
      chars += b.chars;
      media += b.media;
      const key = createHash("sha256").update(boundaries.at(-1)!.key).update("\n").update(b.content).digest("hex");
      boundaries.push({ key, tokens: tokensOf(chars, media) });
    }

    let read = 0;
    for (const { at } of points) {
      for (let n = at; n >= Math.max(1, at - caching.lookback) && n > read; n--) {
        if (this.held.has(boundaries[n]!.key)) {
          read = n;
          break;
        }
      }
    }
    const readTokens = boundaries[read]!.tokens;
    if (read > 0) {
      const entry = this.held.get(boundaries[read]!.key)!;
      entry.expiresAt = now + TTL_MS[entry.ttl];
    }

    const written: Record<CacheTtl, number> = { "1h": 0, "5m": 0 };
    let last = readTokens;
    for (const { at, ttl } of points) {
      const { key, tokens } = boundaries[at]!;
      if (at <= read || tokens < caching.minTokens) continue;
      written[ttl] += tokens - last;
      last = tokens;
      this.held.set(key, { baseModelId: baseId, tokens, ttl, expiresAt: now + TTL_MS[ttl] });
    }
    const writeTokens = written["1h"] + written["5m"];
    return {
      inputTokens: estimateInputTokens(body) - readTokens - writeTokens,
      cacheReadInputTokens: readTokens,
      cacheWriteInputTokens: writeTokens,
      cacheDetails: (["1h", "5m"] as const).filter((ttl) => written[ttl] > 0).map((ttl) => ({ ttl, inputTokens: written[ttl] })),
    };
  }

  /** The live entries, oldest write first. */
  entries(): CacheEntry[] {
    const now = this.now();
    return [...this.held.values()].filter((e) => e.expiresAt > now).map((e) => ({ ...e }));
  }

  clear(): void {
    this.held.clear();
  }
}
