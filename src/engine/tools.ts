import type { ToolResultPart, ToolSpec } from "./types.js";

/** Runs the tools a model asks for (MCP in the server; anything implementing this in other shells). */
export interface ToolExecutor {
  readonly specs: readonly ToolSpec[];
  call(name: string, input: unknown, signal?: AbortSignal): Promise<Pick<ToolResultPart, "status" | "content">>;
}
