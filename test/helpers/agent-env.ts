import { afterAll, beforeAll } from "vitest";
import { startAgentEmulator, type AgentEmulator } from "../agent-emulator/server.js";
import { emulatorEnv } from "./emulator-env.js";

/** The real @aws-sdk/client-bedrock-agent pointed at the emulator, as a user points it at another endpoint. */
export function agentEnv(endpoint: string): Record<string, string> {
  const { AWS_ENDPOINT_URL_BEDROCK_RUNTIME: _runtime, ...common } = emulatorEnv("");
  return { ...common, AWS_ENDPOINT_URL_BEDROCK_AGENT: endpoint };
}

/** Starts one Prompt Management emulator for the test file and points the SDK's environment at it. */
export function useAgentEmulator(): { readonly emulator: AgentEmulator } {
  const holder = {} as { emulator: AgentEmulator };
  beforeAll(async () => {
    holder.emulator = await startAgentEmulator();
    Object.assign(process.env, agentEnv(holder.emulator.url));
  });
  afterAll(async () => holder.emulator?.close());
  return holder;
}
