import { parseArgs } from "node:util";
import type { ReasoningEffort } from "../engine/provider.js";
import { DEFAULT_EFFORT, EFFORTS, LIMITS, type SettingsInput } from "../engine/settings.js";
import { DEFAULT_CALL_TIMEOUT_MS, type McpServerConfig } from "../tools/connection.js";
import { splitCommandLine } from "../tools/command-line.js";

export class UsageError extends Error {
  override readonly name = "UsageError";
}

const { budgetTokens: B, temperature: T, topP: P } = LIMITS;

/** The chat command's help; its ranges come from the engine's limits, the same ones the server checks. */
export const CHAT_USAGE = `Usage: npm run --silent cli -- chat [options] [MESSAGE]

Sends MESSAGE as one turn, or, without MESSAGE, each line of standard input as one turn of the same conversation.

Options:
  --config PATH          config.json to use (default: CONFIG_PATH, ./config.json, ./bin/config.json, bundled example)
  --profile NAME         chat profile: a key of bedrock_models (default: the model marked "default": true)
  --thinking             reason before answering (Anthropic-style profiles; on by default there)
  --no-thinking          answer without thinking (Anthropic-style profiles)
  --budget N             thinking budget in tokens, ${B.min}..${B.max} (default ${B.default})
  --effort LEVEL         reasoning effort for OpenAI-style profiles: ${EFFORTS.slice(0, -1).join(", ")} or ${EFFORTS.at(-1)} (default ${DEFAULT_EFFORT})
  --interleaved          interleaved thinking between tool calls (Claude profiles that offer it)
  --temperature T        ${T.min}..${T.max} (default ${T.default.toFixed(1)}; not while thinking)
  --top-p P              ${P.min}..${P.max} (not sent unless given; not while thinking)
  --max-tokens N         ${LIMITS.maxTokens.min}..the model's maxTokens (default min(maxTokens/2, ${LIMITS.maxTokens.cap}))
  --system TEXT          system prompt for this conversation ({{TODAY}} and {{UTC_TIME}} are substituted)
  --attach PATH          attach a file (repeatable)
  --mcp NAME=URL         use the tools of an MCP server over Streamable HTTP (repeatable; tools run without asking)
  --mcp-stdio NAME=CMD   use the tools of an MCP server started as CMD ("program args", repeatable)
  --tool-timeout S       seconds one tool call may take (default ${DEFAULT_CALL_TIMEOUT_MS / 1000})
  --no-stream            use Converse instead of ConverseStream
  --no-cache             send no prompt-caching checkpoints (profiles with "prompt_caching" cache by default)
  --json                 print one JSON line per turn instead of streaming text
  -h, --help             show this help`;

export interface ChatArgs {
  configPath?: string;
  profile?: string;
  settings: SettingsInput;
  attachments: string[];
  /** MCP servers from --mcp and --mcp-stdio, in the order given. */
  mcp: McpServerConfig[];
  /** --tool-timeout in milliseconds. */
  toolTimeoutMs?: number;
  json: boolean;
  message?: string;
  help: boolean;
}

export function parseChatArgs(argv: string[]): ChatArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        config: { type: "string" },
        profile: { type: "string" },
        thinking: { type: "boolean" },
        "no-thinking": { type: "boolean" },
        budget: { type: "string" },
        effort: { type: "string" },
        interleaved: { type: "boolean" },
        temperature: { type: "string" },
        "top-p": { type: "string" },
        "max-tokens": { type: "string" },
        system: { type: "string" },
        attach: { type: "string", multiple: true },
        mcp: { type: "string", multiple: true },
        "mcp-stdio": { type: "string", multiple: true },
        "tool-timeout": { type: "string" },
        "no-stream": { type: "boolean" },
        "no-cache": { type: "boolean" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/\. To specify a positional argument.*$/s, ""));
  }
  const { values, positionals } = parsed;
  if (values.thinking && values["no-thinking"]) throw new UsageError("--thinking and --no-thinking contradict each other; pass one");
  const effort = values.effort;
  if (effort !== undefined && !EFFORTS.includes(effort as ReasoningEffort)) {
    throw new UsageError(`--effort must be one of ${EFFORTS.join(", ")}, not "${effort}"`);
  }
  const settings: SettingsInput = {
    ...(values.thinking ? { thinking: true } : values["no-thinking"] ? { thinking: false } : {}),
    ...optionalNumber("--budget", values.budget, "budgetTokens"),
    ...(effort !== undefined ? { effort: effort as ReasoningEffort } : {}),
    ...(values.interleaved ? { interleaved: true } : {}),
    ...optionalNumber("--temperature", values.temperature, "temperature"),
    ...optionalNumber("--top-p", values["top-p"], "topP"),
    ...optionalNumber("--max-tokens", values["max-tokens"], "maxTokens"),
    ...(values.system !== undefined ? { system: values.system } : {}),
    ...(values["no-stream"] ? { stream: false } : {}),
    ...(values["no-cache"] ? { promptCaching: false } : {}),
  };
  const message = positionals.join(" ");
  const mcp = mcpServers(values.mcp ?? [], values["mcp-stdio"] ?? []);
  const toolTimeout = values["tool-timeout"];
  let toolTimeoutMs: number | undefined;
  if (toolTimeout !== undefined) {
    const seconds = Number(toolTimeout);
    if (toolTimeout.trim() === "" || !Number.isFinite(seconds) || seconds <= 0 || seconds > 3600) {
      throw new UsageError(`--tool-timeout expects seconds from more than 0 to 3600, not "${toolTimeout}"`);
    }
    toolTimeoutMs = Math.round(seconds * 1000);
  }
  return {
    ...(values.config !== undefined ? { configPath: values.config } : {}),
    ...(values.profile !== undefined ? { profile: values.profile } : {}),
    settings,
    attachments: values.attach ?? [],
    mcp,
    ...(toolTimeoutMs !== undefined ? { toolTimeoutMs } : {}),
    json: values.json ?? false,
    ...(message.trim() !== "" ? { message } : {}),
    help: values.help ?? false,
  };
}

function optionalNumber<K extends keyof SettingsInput>(flag: string, text: string | undefined, key: K): Partial<SettingsInput> {
  if (text === undefined) return {};
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value)) throw new UsageError(`${flag} expects a number, not "${text}"`);
  return { [key]: value };
}

/** --mcp NAME=URL and --mcp-stdio NAME='program args' as server configs; names must be distinct. */
function mcpServers(http: readonly string[], stdio: readonly string[]): McpServerConfig[] {
  const servers: McpServerConfig[] = [];
  const split = (flag: string, value: string, what: string): [string, string] => {
    const at = value.indexOf("=");
    const name = at > 0 ? value.slice(0, at).trim() : "";
    const rest = at > 0 ? value.slice(at + 1).trim() : "";
    if (name === "" || rest === "") throw new UsageError(`${flag} expects NAME=${what}, not "${value}"`);
    if (servers.some((s) => s.name === name)) throw new UsageError(`two MCP servers are named "${name}"; give each its own name`);
    return [name, rest];
  };
  for (const value of http) {
    const [name, url] = split("--mcp", value, "URL");
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      parsed = undefined;
    }
    if (!parsed || (parsed.protocol !== "http:" && parsed.protocol !== "https:")) throw new UsageError(`--mcp ${name}: "${url}" is not an http:// or https:// URL`);
    servers.push({ name, transport: "http", url });
  }
  for (const value of stdio) {
    const [name, commandLine] = split("--mcp-stdio", value, "'program args'");
    const words = splitCommandLine(commandLine);
    if (words === undefined) throw new UsageError(`--mcp-stdio ${name}: unbalanced quotes in "${commandLine}"`);
    const [command, ...args] = words;
    if (!command) throw new UsageError(`--mcp-stdio expects NAME='program args', not "${value}"`);
    servers.push({ name, transport: "stdio", command, args });
  }
  return servers;
}
