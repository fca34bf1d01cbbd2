import type { ToolResultPart, ToolSpec } from "./types.js";

/** Runs the tools a model asks for (MCP in the server; anything implementing this in other shells). */
export interface ToolExecutor {
  readonly specs: readonly ToolSpec[];
  /** `call.toolUseId` is the model's id for this call (the step it belongs to). */
  call(name: string, input: unknown, signal?: AbortSignal, call?: ToolCallContext): Promise<Pick<ToolResultPart, "status" | "content">>;
}

/** Which call of the turn a tool call is. */
export interface ToolCallContext {
  toolUseId: string;
}
