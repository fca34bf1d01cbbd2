import type { AppConfig, ModelProfile } from "../config/resolve.js";
import { costOf, sumAmounts, type Cost } from "./cost.js";
import { ChatError } from "./errors.js";
import { buildRequestHistory, withoutBlankText } from "./history.js";
import { fitFilesToRequest } from "./attachment-rules.js";
import { resolveFiles, type FileResolver } from "./files.js";
import { collectText, TurnState, type ToolUseEvent } from "./turn-state.js";
import type { InferenceParams, ModelRequest, Provider, ProviderEvent, ReasoningRequest } from "./provider.js";
import { planRequest } from "./reasoning.js";
import type { TurnSettings } from "./settings.js";
import { systemPromptFor } from "./system-prompt.js";
import type { ToolExecutor } from "./tools.js";
import { addUsage, ZERO_USAGE, type Message, type MessageStatus, type StopReason, type ToolResultPart, type ToolUsePart, type Usage } from "./types.js";

export const DEFAULT_MAX_TOOL_ROUNDS = 10;

export interface TurnOptions {
  provider: Provider;
  profile: ModelProfile;
  /** Earlier messages of the conversation, as stored (the history rules decide what is sent). */
  history: readonly Message[];
  /** The new user message. */
  input: Message;
  settings: TurnSettings;
  /** Limits from config.json. */
  limits?: Pick<AppConfig, "maxCharacters">;
  tools?: ToolExecutor;
  signal?: AbortSignal;
  now?: () => Date;
  maxToolRounds?: number;
  /**
   * The turn's state, when the caller wants to read it while the turn runs (a server saving progress); the engine
   * makes its own otherwise. Either way it is the one fold of the model's events.
   */
  state?: TurnState;
  /** Turns stored attachments into bytes when a request is built (the engine never reads the store itself). */
  files?: FileResolver;
}

/** The values actually sent on the first model call (after reasoning adjustments), for --json and the UI. */
export interface SentRequest {
  modelId: string;
  stream: boolean;
  inference: InferenceParams;
  reasoning: ReasoningRequest | null;
  system: boolean;
  /** Checkpoints were sent for the prompt cache (the profile caches and the setting is on). */
  promptCaching: boolean;
}

export interface TurnResult {
  /** New messages to append to the history: assistant messages and tool-result messages. */
  messages: Message[];
  status: MessageStatus;
  stopReason: StopReason | null;
  text: string;
  reasoning: string | null;
  /** The whole turn's tokens: the sum of `calls`. */
  usage: Usage;
  /** Each model call's tokens, in order (one per call; several with tool rounds). */
  calls: Usage[];
  /** Null when the profile has no price in config.json. */
  cost: Cost | null;
  error?: ChatError;
}

export type TurnEvent =
  | { type: "request"; request: SentRequest }
  | { type: "notice"; message: string }
  | Exclude<ProviderEvent, { type: "usage" | "toolUse" }>
  | ToolUseEvent
  | { type: "usage"; usage: Usage; cost: Cost | null }
  | { type: "toolResult"; result: ToolResultPart }
  | { type: "error"; error: ChatError }
  | { type: "done"; result: TurnResult };

/** Rejects a user message that breaks config.json's limits, before any model call. */
export function checkUserMessage(message: Message, limits: Pick<AppConfig, "maxCharacters"> | undefined): void {
  const max = limits?.maxCharacters;
  if (!max) return;
  const length = message.parts.reduce((n, p) => n + (p.type === "text" ? [...p.text].length : 0), 0);
  if (length > max) {
    throw new ChatError(
      "input_too_long",
      `Your message is ${length.toLocaleString("en-US")} characters long; the limit is ${max.toLocaleString("en-US")} (max_characters_parameter in config.json). Shorten it or split it into several messages.`,
    );
  }
}

/**
 * One user turn: model call, then tools and further model calls while the model asks for tools (bounded),
 * yielding typed events as they arrive and ending with a `done` event that carries the messages to store.
 * Never throws for model or input failures: they arrive as an `error` event followed by `done`.
 */
export async function* runTurn(options: TurnOptions): AsyncGenerator<TurnEvent, TurnResult> {
  const { provider, profile, settings, signal, tools } = options;
  const state = options.state ?? new TurnState(profile.modelId);
  const produced = state.messages;
  const costs: Cost[] = [];
  const perCall: Usage[] = [];
  let usage = ZERO_USAGE;
  let stopReason: StopReason | null = null;

  const finish = (status: MessageStatus, error?: ChatError): TurnResult => {
    const cost = profile.price ? totalCost(costs) : null;
    const reasoning = collectText(produced, "reasoning");
    return {
      messages: [...produced],
      status,
      stopReason: status === "stopped" ? "stopped" : stopReason,
      text: collectText(produced, "text"),
      reasoning: reasoning === "" ? null : reasoning,
      usage,
      calls: [...perCall],
      cost,
      ...(error ? { error } : {}),
    };
  };

  /** A failure before any model call (bad input, a file that cannot be read): its error, then the result. */
  async function* failBeforeCall(error: unknown): AsyncGenerator<TurnEvent, TurnResult> {
    const chatError = asChatError(error);
    yield { type: "error", error: chatError };
    const result = finish("error", chatError);
    yield { type: "done", result };
    return result;
  }

  try {
    checkUserMessage(options.input, options.limits);
  } catch (error) {
    return yield* failBeforeCall(error);
  }

  const messages: Message[] = [...buildRequestHistory(options.history, profile), options.input];
  const system = systemPromptFor(profile.systemPrompt, settings.system, (options.now ?? (() => new Date()))());
  const specs = tools?.specs.length ? [...tools.specs] : undefined;
  // The provider places the checkpoints (providers/bedrock/cache-points.ts); the engine only says whether to.
  const cache = profile.caching && settings.promptCaching ? profile.caching : undefined;
  const maxRounds = options.maxToolRounds ?? DEFAULT_MAX_TOOL_ROUNDS;

  /**
   * Set once the model has asked for tools `maxRounds` times: one last call goes without tools and with thinking off
   * (the earlier tool blocks are sent as text, as Bedrock requires without a toolConfig, and thinking blocks of a
   * tool turn may not change), so the user always gets an answer.
   */
  let finalCall = false;
  for (let round = 0; ; round++) {
    const offered = finalCall ? undefined : specs;
    const plan = planRequest(profile, finalCall ? { ...settings, thinking: false, interleaved: false } : settings, offered !== undefined);
    if (round === 0) {
      yield {
        type: "request",
        request: {
          modelId: profile.modelId,
          stream: settings.stream,
          inference: plan.inference,
          reasoning: plan.reasoning ?? null,
          system: system !== undefined,
          promptCaching: cache !== undefined,
        },
      };
      for (const message of plan.notices) yield { type: "notice", message };
    }
    // Files the profile cannot take, or past Bedrock's per-request counts, stand in as text (with a notice).
    const files = fitFilesToRequest(messages, profile);
    if (round === 0) for (const message of files.notices) yield { type: "notice", message };
    let resolved: Message[];
    try {
      resolved = await resolveFiles(files.messages, options.files, { s3: profile.s3Sources });
    } catch (error) {
      return yield* failBeforeCall(error);
    }
    const request: ModelRequest = {
      modelId: profile.modelId,
      region: profile.region,
      messages: resolved,
      inference: plan.inference,
      stream: settings.stream,
      ...(system !== undefined ? { system } : {}),
      ...(plan.reasoning ? { reasoning: plan.reasoning } : {}),
      ...(offered ? { tools: offered } : {}),
      ...(cache ? { cache } : {}),
      ...(signal ? { signal } : {}),
    };
    state.beginCall();
    let failure: ChatError | undefined;
    try {
      for await (const received of provider.converse(request)) {
        // A tool use is told and kept with the server and tool behind its name (display and records only).
        const event = received.type === "toolUse" ? described(received, tools) : received;
        state.apply(event);
        if (event.type === "usage") {
          yield { type: "usage", usage: event.usage, cost: costOf(event.usage, profile.price) };
        } else {
          yield event;
        }
        if (signal?.aborted) break;
      }
    } catch (error) {
      if (!signal?.aborted) failure = asChatError(error);
    }
    const interrupted = signal?.aborted || failure !== undefined;
    const call = state.endCall(failure ? "error" : interrupted ? "stopped" : "complete");
    usage = addUsage(usage, call.usage);
    perCall.push(call.usage);
    const callCost = costOf(call.usage, profile.price);
    if (callCost) costs.push(callCost);
    stopReason = call.stopReason ?? stopReason;

    if (interrupted || !call.message) {
      const status: MessageStatus = failure ? "error" : "stopped";
      if (failure) yield { type: "error", error: failure };
      else yield { type: "stop", reason: "stopped" };
      const result = finish(status, failure);
      yield { type: "done", result };
      return result;
    }

    const answer = call.message;
    const calls = answer.parts.filter((p) => p.type === "toolUse");
    if (call.stopReason !== "tool_use" || calls.length === 0 || !tools || finalCall) {
      const result = finish("complete");
      yield { type: "done", result };
      return result;
    }
    if (round >= maxRounds) {
      // The cap: the model's last tool calls are not run; it answers from what it has.
      yield { type: "notice", message: `The model asked for tools ${maxRounds + 1} times in one turn, the most allowed is ${maxRounds}: it answered from what the tools had returned so far. Ask again to continue.` };
      finalCall = true;
      // Sent, not stored: the conversation must end with the user's side for the model to answer.
      messages.push(withoutBlankText(answer), { role: "user", parts: [{ type: "text", text: `(The tools were not run: the limit of ${maxRounds} rounds of tool calls in one turn was reached. Answer now with what you have.)` }] });
      continue;
    }

    // Several calls in one round run in parallel (each bounded by the executor's timeout). Each result is told as
    // soon as it is in; the message that goes back to the model keeps the model's order.
    const pending = new Map(
      calls.map((use, index) => [
        index,
        callTool(tools, use, signal).then((result) => ({ index, result })),
      ]),
    );
    const results: ToolResultPart[] = new Array(calls.length);
    while (pending.size) {
      const { index, result } = await Promise.race(pending.values());
      pending.delete(index);
      results[index] = result;
      yield { type: "toolResult", result };
    }
    const resultMessage = state.addToolResults(results);
    messages.push(withoutBlankText(answer), resultMessage);
  }
}

/** One tool call as its result part, with how long it took (from the call to its result, failures included). */
async function callTool(tools: ToolExecutor, use: ToolUsePart, signal: AbortSignal | undefined): Promise<ToolResultPart> {
  let started = performance.now();
  let outcome: Pick<ToolResultPart, "status" | "content" | "notRun">;
  try {
    outcome = await tools.call(use.name, use.input, signal, { toolUseId: use.id, running: () => (started = performance.now()) });
  } catch (error) {
    outcome = { status: "error", content: [{ type: "text", text: `Error executing tool ${use.name}: ${(error as Error).message}` }] };
  }
  // A call that never ran (declined, or stopped while it waited) has no duration.
  if (outcome.notRun) return { type: "toolResult", toolUseId: use.id, status: outcome.status, content: outcome.content, notRun: outcome.notRun };
  return { type: "toolResult", toolUseId: use.id, status: outcome.status, content: outcome.content, durationMs: Math.round(performance.now() - started) };
}

/** A model's tool use with the server and tool behind its name, when the executor knows them. */
function described(event: ToolUseEvent, tools: ToolExecutor | undefined): ToolUseEvent {
  const ref = tools?.describe?.(event.name);
  return ref ? { ...event, server: ref.server, tool: ref.tool } : event;
}

function totalCost(costs: readonly Cost[]): Cost {
  const sum = (key: keyof Cost) => sumAmounts(costs.map((c) => c[key])).total;
  return { input: sum("input"), cacheRead: sum("cacheRead"), cacheWrite: sum("cacheWrite"), output: sum("output"), total: sum("total") };
}

function asChatError(error: unknown): ChatError {
  if (error instanceof ChatError) return error;
  return new ChatError("internal", `Unexpected error: ${(error as Error)?.message ?? String(error)}`, false, { cause: error });
}
