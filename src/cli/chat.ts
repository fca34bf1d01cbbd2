import { createInterface } from "node:readline";
import { findConfigFile, loadConfig } from "../config/load.js";
import { findProfile } from "../config/resolve.js";
import { resolveSettings } from "../engine/settings.js";
import { systemPromptFor } from "../engine/system-prompt.js";
import { runTurn, type SentRequest, type TurnResult } from "../engine/turn.js";
import { assertNever, type Message, type ToolResultPart } from "../engine/types.js";
import { BedrockProvider } from "../providers/bedrock/provider.js";
import { toolResultText } from "../shared/parts.js";
import type { Toolset } from "../tools/toolset.js";
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
  if (args.mcp.length > 0 && !profile.tool) {
    const withTools = config.profiles.filter((p) => p.tool).map((p) => `  ${p.name}`);
    throw new UsageError(
      `profile "${profile.name}" does not use tools, so --mcp and --mcp-stdio cannot be used with it. ${withTools.length ? `Profiles with tools:\n${withTools.join("\n")}` : "No profile in the config uses tools."}`,
    );
  }
  // The system prompt is resolved once for the conversation ({{UTC_TIME}} is the time of its start), as the server
  // does for a thread: every turn then sends the same prefix, which the prompt cache reads.
  const resolved = resolveSettings(profile, args.settings);
  const settings = { ...resolved, system: systemPromptFor(profile.systemPrompt, resolved.system, new Date()) ?? "" };
  // Files go with the first turn; a refused file is a usage error before anything is sent.
  // Loaded only when used: image processing (sharp) and the MCP client are heavy for a plain chat's start.
  let files = args.attachments.length ? await (await import("./attachments.js")).attachmentParts(args.attachments, profile, config, env) : { parts: [], notices: [] };
  for (const notice of files.notices) io.stderr.write(`note: ${notice}\n`);
  const provider = new BedrockProvider();
  // MCP tools run without asking (the CLI is for scripting). A server that fails is a note; the turn runs without it.
  // HTTP goes through the SSRF-safe fetch with the CLI's rule: this machine's private networks are the user's own;
  // cloud metadata addresses are refused unless MCP_ALLOW_PRIVATE_NETWORKS=1.
  const [{ networkPolicy }, { createSafeFetch }, { Toolset }] = args.mcp.length
    ? await Promise.all([import("../net/address-policy.js"), import("../net/safe-fetch.js"), import("../tools/toolset.js")])
    : [{ networkPolicy: undefined }, { createSafeFetch: undefined }, { Toolset: undefined }];
  const mcpFetch = createSafeFetch && networkPolicy && args.mcp.some((s) => s.transport === "http")
    ? createSafeFetch({ policy: networkPolicy({ mode: "cli", allowPrivateNetworks: env["MCP_ALLOW_PRIVATE_NETWORKS"] === "1" }), bodyTimeoutMs: 0 })
    : undefined;
  const toolset = Toolset
    ? await Toolset.connect(args.mcp, {
        ...(mcpFetch ? { fetch: mcpFetch } : {}),
        ...(args.toolTimeoutMs !== undefined ? { callTimeoutMs: args.toolTimeoutMs } : {}),
        results: { images: profile.vision },
      })
    : undefined;
  for (const notice of toolset?.notices() ?? []) io.stderr.write(`note: ${notice}\n`);
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
      const toolUses = new Map<string, { name: string; input: unknown }>();
      // By call id: results come as each call ends; --json lists them in the order the model asked for them.
      const toolCalls = new Map<string, ToolCall>();
      for await (const event of runTurn({ provider, profile, history, input, settings, limits: config, signal: abort.signal, ...(toolset ? { tools: toolset } : {}) })) {
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
          case "toolUse":
            toolUses.set(event.id, { name: event.name, input: event.input });
            break;
          case "toolResult": {
            const call = toolCall(event.result, toolUses, toolset);
            toolCalls.set(event.result.toolUseId, call);
            if (!args.json) {
              if (reasoningOpen) io.stderr.write("\n");
              reasoningOpen = false;
              io.stderr.write(dim(`[tool ${call.name}${call.server ? ` (${call.server})` : ""}: ${call.isError ? "error" : "ok"}]\n`));
            }
            break;
          }
          // Shown through the result (errors, usage) or not at all (the rest of the model's blocks).
          case "error":
          case "usage":
          case "reasoningSignature":
          case "redactedReasoning":
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
      if (args.json) io.stdout.write(`${JSON.stringify({ ...jsonLine(result, sent), ...(toolset ? { toolCalls: [...toolUses.keys()].flatMap((id) => toolCalls.get(id) ?? []).map(({ server: _server, ...call }) => call) } : {}) })}\n`);
      history.push(input, ...result.messages);
    }
  } finally {
    process.off("SIGINT", onSigint);
    provider.clients.destroy();
    await toolset?.close();
    await mcpFetch?.close();
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

/** One tool call of a turn as --json shows it (`name` is the MCP tool's own name). */
interface ToolCall {
  name: string;
  server?: string;
  input: unknown;
  result: string;
  isError: boolean;
}

function toolCall(result: ToolResultPart, uses: ReadonlyMap<string, { name: string; input: unknown }>, toolset: Toolset | undefined): ToolCall {
  const use = uses.get(result.toolUseId);
  const ref = use ? toolset?.lookup(use.name) : undefined;
  return {
    name: ref?.tool ?? use?.name ?? "",
    ...(ref ? { server: ref.server } : {}),
    input: use?.input ?? null,
    result: toolResultText(result.content),
    isError: result.status === "error",
  };
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
      cacheWrite1hInputTokens: result.usage.cacheWrite1hInputTokens,
    },
    cost: result.cost
      ? {
          input: Number(result.cost.input),
          cacheRead: Number(result.cost.cacheRead),
          cacheWrite: Number(result.cost.cacheWrite),
          output: Number(result.cost.output),
          total: Number(result.cost.total),
        }
      : null,
    modelId: sent?.modelId ?? null,
    request: sent ?? null,
  };
}
