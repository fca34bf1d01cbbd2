/** Runs the Bedrock emulator on its own: `npx tsx test/emulator/main.ts [PORT]`, then point the app at it. */
import { startBedrockEmulator } from "./server.js";

const emulator = await startBedrockEmulator(Number(process.argv[2] ?? 0));
process.stdout.write(`Bedrock emulator listening: AWS_ENDPOINT_URL_BEDROCK_RUNTIME=${emulator.url}\n`);
process.on("SIGINT", () => void emulator.close().then(() => process.exit(0)));
process.on("SIGTERM", () => void emulator.close().then(() => process.exit(0)));
