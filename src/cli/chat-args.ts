import { parseArgs } from "node:util";
import type { ReasoningEffort } from "../engine/provider.js";
import { DEFAULT_EFFORT, EFFORTS, LIMITS, type SettingsInput } from "../engine/settings.js";

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
  --no-stream            use Converse instead of ConverseStream
  --json                 print one JSON line per turn instead of streaming text
  -h, --help             show this help`;

export interface ChatArgs {
  configPath?: string;
  profile?: string;
  settings: SettingsInput;
  attachments: string[];
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
        "no-stream": { type: "boolean" },
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
  };
  const message = positionals.join(" ");
  return {
    ...(values.config !== undefined ? { configPath: values.config } : {}),
    ...(values.profile !== undefined ? { profile: values.profile } : {}),
    settings,
    attachments: values.attach ?? [],
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
