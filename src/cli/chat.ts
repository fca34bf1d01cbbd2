import { createInterface } from "node:readline";
import { findConfigFile, loadConfig } from "../config/load.js";
import { findProfile } from "../config/resolve.js";
import { resolveSettings } from "../engine/settings.js";
import { runTurn, type SentRequest, type TurnResult } from "../engine/turn.js";
import { assertNever, type Message } from "../engine/types.js";
import { BedrockProvider } from "../providers/bedrock/provider.js";
import { attachmentParts } from "./attachments.js";
import { CHAT_USAGE, parseChatArgs, UsageError } from "./chat-args.js";

export interface Io {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

/** `chat`: one turn with MESSAGE, or one turn per stdin line. Returns the exit code. */
export async function chatCommand(argv: string[], io: Io, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const args = parseChatArgs(argv);
  if (args.help) {
    io.stdout.write(`${CHAT_USAGE}\n`);
    return 0;
  }
  const { config, warnings } = loadConfig(args.configPath ?? findConfigFile(env));
  for (const warning of warnings) io.stderr.write(`warning: ${warning}\n`);
  const profile = findProfile(config, args.profile);
  if (!profile) {
    throw new UsageError(`unknown profile "${args.profile}". Available profiles:\n${config.profiles.map((p) => `  ${p.name}`).join("\n")}`);
  }
  const settings = resolveSettings(profile, args.settings);
  // Files go with the first turn; a refused file is a usage error before anything is sent.
  let files = await attachmentParts(args.attachments, profile, config, env);
  for (const notice of files.notices) io.stderr.write(`note: ${notice}\n`);
  const provider = new BedrockProvider();
  const dim = io.stderr.isTTY ? (s: string) => `\x1b[2m${s}\x1b[22m` : (s: string) => s;
  const history: Message[] = [];

  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.once("SIGINT", onSigint);
  try {
    for await (const line of turns(args.message, io.stdin, () => files.parts.length > 0)) {
      const input: Message = { role: "user", parts: [...(line.trim() ? [{ type: "text" as const, text: line }] : []), ...files.parts] };
      files = { parts: [], notices: [] };
      let sent: SentRequest | undefined;
      let result: TurnResult | undefined;
      let reasoningOpen = false;
      for await (const event of runTurn({ provider, profile, history, input, settings, limits: config, signal: abort.signal })) {
        switch (event.type) {
          case "request":
            sent = event.request;
            break;
          case "notice":
            io.stderr.write(`note: ${event.message}\n`);
            break;
          case "reasoning":
            if (!args.json) {
              io.stderr.write(dim(event.delta));
              reasoningOpen = true;
            }
            break;
          case "text":
            if (!args.json) {
              if (reasoningOpen) io.stderr.write("\n");
              reasoningOpen = false;
              io.stdout.write(event.delta);
            }
            break;
          case "done":
            result = event.result;
            break;
          // Shown through the result (errors, usage) or not at all (the rest of the model's blocks).
          case "error":
          case "usage":
          case "reasoningSignature":
          case "redactedReasoning":
          case "toolUse":
          case "toolResult":
          case "stop":
            break;
          default:
            assertNever(event, "turn event");
        }
      }
      if (!result) throw new Error("the turn ended without a result");
      if (!args.json && (result.text !== "" || reasoningOpen)) (reasoningOpen ? io.stderr : io.stdout).write("\n");
      if (result.error) {
        io.stderr.write(`error: ${result.error.message}\n`);
        // --json: the error as a line too, with Bedrock's own words apart for scripts.
        if (args.json) io.stdout.write(`${JSON.stringify({ error: { code: result.error.code, message: result.error.message, bedrockMessage: result.error.providerMessage ?? null, retryable: result.error.retryable } })}\n`);
        return 1;
      }
      if (result.status === "stopped") {
        io.stderr.write("stopped\n");
        return 130;
      }
      if (args.json) io.stdout.write(`${JSON.stringify(jsonLine(result, sent))}\n`);
      history.push(input, ...result.messages);
    }
  } finally {
    process.off("SIGINT", onSigint);
    provider.clients.destroy();
  }
  return 0;
}

/** The turns: MESSAGE, or each non-blank line of standard input; files with neither are one turn of files only. */
async function* turns(message: string | undefined, stdin: NodeJS.ReadableStream, filesPending: () => boolean): AsyncGenerator<string> {
  if (message !== undefined) {
    yield message;
    return;
  }
  for await (const line of createInterface({ input: stdin, crlfDelay: Infinity })) {
    if (line.trim() !== "") yield line;
  }
  if (filesPending()) yield "";
}

function jsonLine(result: TurnResult, sent: SentRequest | undefined) {
  return {
    text: result.text,
    reasoning: result.reasoning,
    stopReason: result.stopReason,
    usage: {
      inputTokens: result.usage.inputTokens,
      outputTokens: result.usage.outputTokens,
      cacheReadInputTokens: result.usage.cacheReadInputTokens,
      cacheWriteInputTokens: result.usage.cacheWriteInputTokens,
    },
    cost: result.cost ? { input: Number(result.cost.input), output: Number(result.cost.output), total: Number(result.cost.total) } : null,
    modelId: sent?.modelId ?? null,
    request: sent ?? null,
  };
}
