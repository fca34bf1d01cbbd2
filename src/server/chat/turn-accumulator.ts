import { MessageBuilder } from "../../engine/message-builder.js";
import type { TurnEvent } from "../../engine/turn.js";
import type { Part } from "../../engine/types.js";

/** The parts of a whole assistant turn (tool rounds included) as they arrive, for saving progress. */
export class TurnAccumulator {
  private readonly done: Part[] = [];
  private builder: MessageBuilder;

  constructor(private readonly modelId: string) {
    this.builder = new MessageBuilder(modelId);
  }

  apply(event: TurnEvent): void {
    switch (event.type) {
      case "text":
      case "reasoning":
      case "reasoningSignature":
      case "redactedReasoning":
      case "toolUse":
        this.builder.apply(event);
        return;
      case "toolResult":
        if (this.builder.parts.length) {
          this.done.push(...this.builder.parts);
          this.builder = new MessageBuilder(this.modelId);
        }
        this.done.push(event.result);
        return;
      default:
        return;
    }
  }

  get parts(): Part[] {
    return [...this.done, ...this.builder.parts];
  }
}
