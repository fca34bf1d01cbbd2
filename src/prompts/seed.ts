import { createHash } from "node:crypto";
import type { Db } from "../store/db.js";
import { getPin, seedPin, type PromptPin } from "../store/prompt-pins.js";
import type { PromptKey } from "./names.js";
import { PromptStoreError, type PromptStore } from "./types.js";

/** PROMPT_IDS as read from the environment: the AWS deployment's prompts, by profile name (or "default"). */
export type SeedIds = Record<string, { id: string; version: number }>;

/** A client token that is the same on every instance for the same step (Bedrock's idempotency window covers a start). */
export function seedToken(step: string, subject: string): string {
  return createHash("sha256").update(`fllm-prompt-seed:${step}:${subject}`).digest("hex");
}

/**
 * Makes sure a prompt exists and has a pin, without overwriting anything:
 * 1. a pin in our database wins (restarts create nothing);
 * 2. else PROMPT_IDS' id and version (the deployment made them) become the first pin;
 * 3. else the prompt is found by name, or created from config.json, and its newest version (version 1, made from the
 *    draft when it has none) is pinned.
 * Every create carries a deterministic client token and every pin insert keeps an existing pin, so instances
 * starting at once on one database or one account end with one prompt and one pin each.
 */
export async function seedPrompt(db: Db, store: PromptStore, key: PromptKey, seedIds: SeedIds, now: Date): Promise<PromptPin> {
  const pinned = await getPin(db, store.kind, key.key);
  if (pinned) return pinned;
  const given = seedIds[key.key === "default" ? "default" : key.label];
  if (given) return seedPin(db, store.kind, key.key, { promptId: given.id, version: given.version }, now);

  let id = (await store.findByName(key.name))?.id;
  if (!id) {
    try {
      id = (await store.create({ name: key.name, text: key.configText, description: `System prompt for ${key.label} (from config.json)`, clientToken: seedToken("create", key.name) })).id;
    } catch (error) {
      // Made at the same moment by another instance with another token (or earlier, under another config text).
      if (!(error instanceof PromptStoreError && error.kind === "conflict")) throw error;
      id = (await store.findByName(key.name))?.id;
      if (!id) throw error;
    }
  }
  const versions = await store.listVersions(id);
  const newest = versions.at(-1)?.version ?? (await store.createVersion(id, { description: "Version 1, from config.json", clientToken: seedToken("version-1", id) })).version;
  return seedPin(db, store.kind, key.key, { promptId: id, version: newest as number }, now);
}
