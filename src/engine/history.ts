import type { ModelProfile } from "../config/resolve.js";
import { assertNever, type Message, type Part } from "./types.js";

/**
 * Turns stored history into what the next request may send, so that one failure, stop or profile switch
 * never breaks the rest of a conversation (the original app broke every later message after one failure):
 * - a turn whose answer has nothing sendable (failed, or stopped before any text) is left out, question included;
 * - a stopped or failed partial answer is sent as text, with its reasoning only if that reasoning is complete (signed);
 * - blank text is never sent;
 * - a toolUse is sent only together with its toolResult (and a toolResult only after its toolUse);
 * - reasoning goes back only to the model id that produced it, and for OpenAI-style profiles only on tool turns;
 * - roles always alternate, starting with the user.
 */
export function buildRequestHistory(history: readonly Message[], profile: ModelProfile): Message[] {
  const out: Message[] = [];
  for (const turn of splitTurns(history)) {
    const sendable = sendableTurn(turn, profile);
    if (sendable) out.push(...sendable);
  }
  return out;
}

/** A turn: one user message and everything that answered it (assistant messages and tool results). */
function splitTurns(history: readonly Message[]): Message[][] {
  const turns: Message[][] = [];
  for (const message of history) {
    const startsTurn = message.role === "user" && !message.parts.some((p) => p.type === "toolResult");
    if (startsTurn || turns.length === 0) turns.push([message]);
    else turns[turns.length - 1]!.push(message);
  }
  return turns;
}

function sendableTurn(turn: Message[], profile: ModelProfile): Message[] | undefined {
  const [question, ...answers] = turn;
  if (!question || question.role !== "user") return undefined;
  const questionParts = question.parts.filter(isSendable);
  if (questionParts.length === 0) return undefined;

  const out: Message[] = [{ role: "user", parts: questionParts }];
  for (let i = 0; i < answers.length; i++) {
    const message = answers[i]!;
    if (message.role !== "assistant") continue; // tool results are attached to their toolUse below
    const next = answers[i + 1];
    const results = next?.role === "user" ? next.parts.filter((p) => p.type === "toolResult") : [];
    const answered = new Set(results.map((r) => r.toolUseId));
    const usedTools = message.parts.some((p) => p.type === "toolUse" && answered.has(p.id));
    const parts = message.parts.filter((part) => {
      switch (part.type) {
        case "text":
          return part.text.trim() !== "";
        case "reasoning":
        case "redactedReasoning":
          return keepReasoning(part, message, profile, usedTools);
        case "toolUse":
          return answered.has(part.id);
        case "image":
        case "document":
        case "toolResult":
          return false;
        default:
          return assertNever(part, "part");
      }
    });
    // Reasoning alone is no answer; reasoning goes first in the message.
    if (!parts.some((p) => p.type === "text" || p.type === "toolUse")) break;
    parts.sort((a, b) => rank(a) - rank(b));
    mergeOrPush(out, { role: "assistant", parts });
    if (!usedTools) continue;
    const usedIds = new Set(parts.flatMap((p) => (p.type === "toolUse" ? [p.id] : [])));
    out.push({ role: "user", parts: results.filter((r) => usedIds.has(r.toolUseId)) });
    i++;
  }
  // A turn must end with the model's answer. When the answer after some tool results never arrived, keep the
  // turn up to the last assistant text (without the unanswered tool round); with no answer at all it is left out.
  while (out.length > 1 && out[out.length - 1]!.role === "user") {
    out.pop();
    const last = out[out.length - 1]!;
    last.parts = last.parts.filter((p) => p.type !== "toolUse");
    if (!last.parts.some((p) => p.type === "text")) out.pop();
  }
  return out.length >= 2 ? out : undefined;
}

function keepReasoning(
  part: Extract<Part, { type: "reasoning" | "redactedReasoning" }>,
  message: Message,
  profile: ModelProfile,
  usedTools: boolean,
): boolean {
  if (message.modelId !== profile.modelId) return false;
  if (profile.reasoning.historyOnlyWithTools && !usedTools) return false;
  if (part.type === "reasoning") {
    if (part.text.trim() === "") return false;
    // An interrupted message keeps only reasoning that finished (signed); unsigned reasoning is kept only
    // from complete messages of styles that never sign.
    if ((message.status ?? "complete") !== "complete") return part.signature !== undefined;
  }
  return true;
}

function rank(part: Part): number {
  return part.type === "reasoning" || part.type === "redactedReasoning" ? 0 : part.type === "toolUse" ? 2 : 1;
}

function mergeOrPush(out: Message[], message: Message): void {
  const last = out[out.length - 1];
  if (last && last.role === message.role) last.parts.push(...message.parts);
  else out.push(message);
}

function isSendable(part: Part): boolean {
  return part.type === "text" ? part.text.trim() !== "" : part.type !== "toolResult";
}

/** Drops blank text from a message built during a tool loop (never sent to Bedrock). */
export function withoutBlankText(message: Message): Message {
  return { ...message, parts: message.parts.filter((p) => p.type !== "text" || p.text.trim() !== "") };
}
