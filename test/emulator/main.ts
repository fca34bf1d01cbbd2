/**
 * Runs the Bedrock emulator on its own: `npx tsx test/emulator/main.ts [--port N] [--tls] [--answer-chars N --deltas N]`,
 * then point the app at it with AWS_ENDPOINT_URL_BEDROCK_RUNTIME. With --answer-chars every request without a
 * queued script gets that long an answer in that many deltas (used by the benchmarks). With --tls it serves
 * https:// with a self-signed certificate, written to the file printed as EMULATOR_CA_FILE (trust it with
 * NODE_EXTRA_CA_CERTS=that file, or an agent's `ca`); it serves HTTP/2 and HTTP/1.1 either way.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { Script } from "./script.js";
import { startBedrockEmulator } from "./server.js";

const { values } = parseArgs({
  options: { port: { type: "string" }, tls: { type: "boolean" }, "answer-chars": { type: "string" }, deltas: { type: "string" }, "delay-ms": { type: "string" } },
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
const emulator = await startBedrockEmulator({ port: Number(values.port ?? 0), ...(values.tls ? { tls: true } : {}), ...(fallback ? { fallback } : {}) });
const caDir = emulator.ca ? mkdtempSync(join(tmpdir(), "bedrock-emulator-ca-")) : undefined;
if (caDir) {
  writeFileSync(join(caDir, "ca.pem"), emulator.ca!);
  process.stdout.write(`EMULATOR_CA_FILE=${join(caDir, "ca.pem")}\n`);
}
process.stdout.write(`AWS_ENDPOINT_URL_BEDROCK_RUNTIME=${emulator.url}\n`);
const stop = () =>
  void emulator.close().then(() => {
    if (caDir) rmSync(caDir, { recursive: true, force: true });
    process.exit(0);
  });
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
