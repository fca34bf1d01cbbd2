import { signReasoning } from "./faults.js";
import type { ResolvedModelId } from "./models.js";

/** One scripted answer. Without a script the emulator answers with a default echo (see defaultScript). */
export interface Script {
  /** Answer with this HTTP-level error instead (before any stream bytes). */
  error?: { type: string; status: number; message: string; body?: unknown };
  blocks?: ScriptBlock[];
  stopReason?: string;
  /** Reported as given, field by field, over what the emulator computes (its estimate and its prompt cache). */
  usage?: ScriptUsage;
  /** Text and reasoning blocks are split into this many deltas (streaming); default: about one per word. */
  deltas?: number;
  /** Delay before each stream event after the first, in ms. */
  delayMs?: number;
  /** Delay before the response starts, in ms. */
  firstByteDelayMs?: number;
  /** ConverseStream only: an in-stream exception after this many content deltas (ends the stream). */
  streamException?: { afterDeltas: number; type: string; message: string };
  /** Only requests for this model id take this script (others get the default answer). */
  modelId?: string;
}

export interface ScriptUsage {
  inputTokens?: number;
  outputTokens?: number;
  cacheReadInputTokens?: number;
  cacheWriteInputTokens?: number;
  cacheDetails?: { ttl: "5m" | "1h"; inputTokens: number }[];
}

/** The script with the usage the emulator computed under the script's own fields (a field the script sets wins). */
export function withComputedUsage(script: Script, computed: ScriptUsage | undefined): Script {
  if (!computed) return script;
  const given = Object.fromEntries(Object.entries(script.usage ?? {}).filter(([, v]) => v !== undefined));
  return { ...script, usage: { ...computed, ...given } };
}

export type ScriptBlock =
  | { text: string }
  /** signature: omitted = a valid signature; null = none; a string = sent as given (e.g. forged). */
  | { reasoning: string; signature?: string | null }
  | { redacted: string }
  | { toolUse: { id?: string; name: string; input: unknown } };

type Json = Record<string, unknown>;

/** The default answer: echoes the last user text, reasoning the way the model family reasons. */
export function defaultScript(body: Json, resolved: ResolvedModelId): Script {
  const messages = body["messages"] as Json[];
  const last = messages[messages.length - 1]!;
  const blocks = (last["content"] as Json[]) ?? [];
  const text = blocks.map((b) => (typeof b["text"] === "string" ? b["text"] : "")).join(" ").trim();
  const toolResults = blocks.filter((b) => b["toolResult"]).length;
  const answer = toolResults ? `Received ${toolResults} tool result${toolResults > 1 ? "s" : ""}.` : `Echo: ${text || "(no text)"}`;
  const fields = (body["additionalModelRequestFields"] ?? {}) as Json;
  const thinking = (fields["thinking"] as Json | undefined)?.["type"] === "enabled";
  const reasons = thinking || resolved.model.reasoning === "effort" || resolved.model.reasoning === "always";
  return {
    blocks: [
      ...(reasons ? [{ reasoning: `Thinking about: ${text.slice(0, 40) || "tool results"}`, ...(thinking ? {} : { signature: null }) }] : []),
      { text: answer },
    ],
  };
}

/** Signature to send for a reasoning block, per the script's choice. */
export function signatureFor(block: { reasoning: string; signature?: string | null }, resolved: ResolvedModelId): string | undefined {
  if (block.signature === null) return undefined;
  if (block.signature !== undefined) return block.signature;
  return resolved.model.family === "anthropic" ? signReasoning("anthropic", block.reasoning) : undefined;
}

/** Splits text into n nearly equal pieces (at least one character each). */
export function splitText(text: string, n: number | undefined): string[] {
  if (text === "") return [""];
  const count = Math.max(1, Math.min(n ?? Math.max(1, text.split(/\s+/).length), text.length));
  const size = Math.ceil(text.length / count);
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}
