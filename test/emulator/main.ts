/**
 * Runs the Bedrock emulator on its own: `npx tsx test/emulator/main.ts [--port N] [--answer-chars N --deltas N]`,
 * then point the app at it with AWS_ENDPOINT_URL_BEDROCK_RUNTIME. With --answer-chars every request without a
 * queued script gets that long an answer in that many deltas (used by the benchmarks).
 */
import { parseArgs } from "node:util";
import type { Script } from "./script.js";
import { startBedrockEmulator } from "./server.js";

const { values } = parseArgs({
  options: { port: { type: "string" }, "answer-chars": { type: "string" }, deltas: { type: "string" }, "delay-ms": { type: "string" } },
});
const chars = values["answer-chars"] ? Number(values["answer-chars"]) : undefined;
const fallback: Script | undefined = chars
  ? {
      blocks: [{ text: "lorem ipsum dolor sit amet ".repeat(Math.ceil(chars / 27)).slice(0, chars) }],
      deltas: Number(values.deltas ?? 100),
      ...(values["delay-ms"] ? { delayMs: Number(values["delay-ms"]) } : {}),
      usage: { outputTokens: Math.ceil(chars / 4) },
    }
  : undefined;
const emulator = await startBedrockEmulator({ port: Number(values.port ?? 0), ...(fallback ? { fallback } : {}) });
process.stdout.write(`AWS_ENDPOINT_URL_BEDROCK_RUNTIME=${emulator.url}\n`);
const stop = () => void emulator.close().then(() => process.exit(0));
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
