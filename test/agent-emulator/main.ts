/**
 * Runs the Bedrock Agent (Prompt Management) emulator on its own: `npx tsx test/agent-emulator/main.ts [--port N]`,
 * then start the app with PROMPT_STORE=bedrock and AWS_ENDPOINT_URL_BEDROCK_AGENT set to the printed address.
 */
import { parseArgs } from "node:util";
import { startAgentEmulator } from "./server.js";

const { values } = parseArgs({ options: { port: { type: "string" } } });
const emulator = await startAgentEmulator({ port: Number(values.port ?? 0) });
process.stdout.write(`AWS_ENDPOINT_URL_BEDROCK_AGENT=${emulator.url}\n`);
const stop = () => void emulator.close().then(() => process.exit(0));
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
