import type { ProviderEvent } from "./provider.js";
import { addUsage, ZERO_USAGE, type Message, type MessageStatus, type Part, type StopReason, type Usage } from "./types.js";

/** Folds one model call's events into an assistant message, keeping block order (reasoning, text, toolUse). */
export class MessageBuilder {
  readonly parts: Part[] = [];
  stopReason: StopReason | undefined;
  usage: Usage = ZERO_USAGE;

  constructor(readonly modelId: string) {}

  apply(event: ProviderEvent): void {
    const last = this.parts[this.parts.length - 1];
    switch (event.type) {
      case "text":
        if (last?.type === "text") last.text += event.delta;
        else this.parts.push({ type: "text", text: event.delta });
        return;
      case "reasoning":
        if (last?.type === "reasoning" && last.signature === undefined) last.text += event.delta;
        else this.parts.push({ type: "reasoning", text: event.delta });
        return;
      case "reasoningSignature":
        if (last?.type === "reasoning") last.signature = event.signature;
        else this.parts.push({ type: "reasoning", text: "", signature: event.signature });
        return;
      case "redactedReasoning":
        this.parts.push({ type: "redactedReasoning", data: event.data });
        return;
      case "toolUse":
        this.parts.push({ type: "toolUse", id: event.id, name: event.name, input: event.input });
        return;
      case "stop":
        this.stopReason = event.reason;
        return;
      case "usage":
        this.usage = addUsage(this.usage, event.usage);
        return;
    }
  }

  get toolUses() {
    return this.parts.filter((p) => p.type === "toolUse");
  }

  finish(status: MessageStatus): Message {
    return { role: "assistant", parts: this.parts, status, modelId: this.modelId };
  }
}

/** All text of the given kind in a list of messages, joined. */
export function collectText(messages: readonly Message[], kind: "text" | "reasoning"): string {
  let out = "";
  for (const message of messages) {
    for (const part of message.parts) {
      if (part.type === kind) out += part.text;
    }
  }
  return out;
}
