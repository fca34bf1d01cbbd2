import { afterAll, beforeAll, beforeEach } from "vitest";
import { startBedrockEmulator, type BedrockEmulator } from "../emulator/server.js";
import { emulatorEnv } from "./emulator-env.js";

export { emulatorEnv };

/** Starts one emulator for the test file, sets the SDK's env to it, and clears scripts and records between tests. */
export function useBedrockEmulator(): { readonly emulator: BedrockEmulator } {
  const holder = {} as { emulator: BedrockEmulator };
  beforeAll(async () => {
    holder.emulator = await startBedrockEmulator();
    Object.assign(process.env, emulatorEnv(holder.emulator.url));
  });
  beforeEach(() => holder.emulator.reset());
  afterAll(async () => holder.emulator?.close());
  return holder;
}
