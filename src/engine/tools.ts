import type { ToolResultPart, ToolSpec } from "./types.js";

/** Runs the tools a model asks for (MCP in the server; anything implementing this in other shells). */
export interface ToolExecutor {
  readonly specs: readonly ToolSpec[];
  /** `call.toolUseId` is the model's id for this call (the step it belongs to). */
  call(name: string, input: unknown, signal?: AbortSignal, call?: ToolCallContext): Promise<Pick<ToolResultPart, "status" | "content" | "notRun">>;
  /** The server and its own name for the tool behind a model's tool name, when there is one (shown and recorded, never sent). */
  describe?(name: string): { server: string; tool: string } | undefined;
}

/** Which call of the turn a tool call is. */
export interface ToolCallContext {
  toolUseId: string;
  /**
   * An executor that waits before running the tool (for the user's permission) calls this when the tool starts, so
   * the call's duration is the tool's, not the wait's.
   */
  running?(): void;
}
