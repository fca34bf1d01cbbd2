import type { AppConfig, ModelProfile } from "../../config/resolve.js";
import { ChatError } from "../../engine/errors.js";
import type { FileResolver } from "../../engine/files.js";
import type { Provider } from "../../engine/provider.js";
import type { TurnSettings } from "../../engine/settings.js";
import { runTurn, type TurnResult } from "../../engine/turn.js";
import { uncachedCostOf } from "../../engine/cost.js";
import { ZERO_USAGE, type Message, type Part } from "../../engine/types.js";
import { saveFinishedAnswer } from "../../store/answers.js";
import type { MessageMeta } from "../../shared/api.js";
import type { Db } from "../../store/db.js";
import { finishGeneration } from "../../store/generations.js";
import { errorJson, toClientEvent } from "./client-events.js";
import { emit, type LiveGeneration } from "./live-generation.js";
import type { Relay, SeqEvent } from "./relay.js";
import type { TurnTools } from "../mcp.js";
import { setToolPermission } from "../../store/tool-permissions.js";
import { loadApprovalSettings, ToolApprovals } from "./tool-approval.js";
import { keepToolFilesByReference, type SaveToolFile } from "./tool-result-files.js";
import type { BlobStore } from "../../attachments/blob-store.js";
import { imageSize } from "../../attachments/fit-image.js";
import { modelDocumentName } from "../../attachments/names.js";
import { linkAttachments, saveUpload } from "../../store/attachments.js";

export interface AnswerContext {
  db: Db;
  provider: Provider;
  config: AppConfig;
  relay: Relay;
  files?: (ownerId: string) => FileResolver;
  /** Where tool results' images and long texts are stored (by reference, like attachments). */
  blobs?: BlobStore;
  /** The user's MCP tools for one answer (profiles with `tool: true` only). */
  tools?: (ownerId: string) => Promise<TurnTools | undefined>;
  now: () => Date;
  log: { error: (o: object, m?: string) => void };
  /** A progress save in flight, which the final commit waits for. */
  saving: () => Promise<void> | undefined;
}

export interface AnswerRequest {
  profile: ModelProfile;
  settings: TurnSettings;
  /** The conversation before the question, as engine messages. */
  history: Message[];
  question: { parts: Part[] };
  /** Told before the answer (settings adapted at the edge). */
  notices: string[];
}

/**
 * Drives one answer: runs the engine's turn into the generation's state, streams its events to listeners (with
 * how long the model reasoned), then saves the answer, the generation's end and the last events in one commit,
 * and only then publishes `done`. Resolves with the turn's result (an internal failure is an error result).
 */
export async function driveAnswer(context: AnswerContext, live: LiveGeneration, request: AnswerRequest): Promise<TurnResult> {
  const { profile } = request;
  let reasoningStarted: number | undefined;
  let reasoningMs: number | undefined;
  const endReasoning = () => {
    if (reasoningStarted === undefined || reasoningMs !== undefined) return;
    reasoningMs = Date.now() - reasoningStarted;
    emit(live, context.relay, { type: "reasoning_end", ms: reasoningMs });
  };
  /** Notices from outside the engine (adapted settings, MCP servers): told now and saved with the answer. */
  const notices: string[] = [];
  const tell = (message: string) => {
    notices.push(message);
    emit(live, context.relay, { type: "notice", message });
  };

  emit(live, context.relay, { type: "start", messageId: live.messageId, profile: profile.name, modelId: profile.modelId });
  request.notices.forEach(tell);
  // The user's MCP servers, connected for this answer: a server that fails gives no tools and a notice.
  let tools: TurnTools | undefined;
  if (profile.tool && context.tools) {
    tools = await context.tools(live.ownerId).catch((error: unknown) => {
      tell(`MCP tools are not available for this answer: ${(error as Error).message}`);
      return undefined;
    });
    tools?.notices.forEach(tell);
  }
  // Each call waits for the user's permission where the rules say so (tool-approval.ts).
  let executor = tools && tools.executor.specs.length ? tools.executor : undefined;
  if (executor) {
    const ownerId = live.ownerId;
    const approvals = new ToolApprovals({
      settings: await loadApprovalSettings(context.db, ownerId),
      tell: (event) => emit(live, context.relay, event),
      remember: (serverId, tool) => setToolPermission(context.db, ownerId, serverId, tool, "allow").then(() => undefined),
    });
    live.approvals = approvals;
    executor = approvals.wrap(executor);
    if (context.blobs) executor = keepToolFilesByReference(executor, toolFileSaver(context, context.blobs, live), (error) => context.log.error({ err: error, generationId: live.id }, "a tool result could not be stored by reference; it stays inline"));
  }
  let result: TurnResult | undefined;
  try {
    for await (const event of runTurn({
      provider: context.provider,
      profile,
      history: request.history,
      input: { role: "user", parts: request.question.parts },
      settings: request.settings,
      limits: context.config,
      signal: live.controller.signal,
      state: live.state,
      ...(context.files ? { files: context.files(live.ownerId) } : {}),
      ...(executor ? { tools: executor } : {}),
    })) {
      if (event.type === "reasoning") reasoningStarted ??= Date.now();
      if (event.type === "text" || event.type === "toolUse") endReasoning();
      if (event.type === "notice") notices.push(event.message);
      if (event.type === "done") result = event.result;
      const mapped = toClientEvent(event);
      if (mapped) emit(live, context.relay, mapped);
    }
  } catch (error) {
    // The engine reports model failures as results; anything thrown here is ours (the database, a bug).
    context.log.error({ err: error, generationId: live.id }, "generation failed unexpectedly");
  } finally {
    await tools?.close().catch(() => undefined);
    live.ending = true;
    // A progress save may be writing this generation right now: let it finish first.
    await context.saving();
  }
  if (!result) {
    const failure = new ChatError("internal", "The answer failed because of a server error. Retry; if it happens again, check the server log.", true);
    emit(live, context.relay, { type: "error", ...errorJson(failure) });
    result = { messages: [...live.state.messages], status: "error", stopReason: null, text: "", reasoning: null, usage: ZERO_USAGE, calls: [], cost: null, error: failure };
  }
  endReasoning();
  await saveAnswer(context, live, request, result, {
    ...(reasoningMs !== undefined ? { reasoningMs } : {}),
    stopReason: result.stopReason,
    ...(notices.length ? { notices } : {}),
    // Each model call's tokens when the turn made several (tool rounds): the answer's usage is their sum.
    ...(result.calls.length > 1 ? { calls: result.calls } : {}),
    // Which system prompt the answer used (issue 13): a prompt version, the user's override, or the config's text.
    ...(request.settings.systemSource ? { systemPrompt: request.settings.systemSource } : {}),
  });
  return result;
}

/** Stores a file a tool returned as an attachment of this answer (linked to its thread and message at once). */
function toolFileSaver(context: AnswerContext, blobs: BlobStore, live: LiveGeneration): SaveToolFile {
  return async (file) => {
    const size = file.kind === "image" ? await imageSize(file.bytes).catch(() => null) : null;
    const info = await saveUpload(
      context.db,
      blobs,
      { ownerId: live.ownerId, bytes: file.bytes, fileName: file.fileName, modelName: modelDocumentName(file.fileName), kind: file.kind, format: file.format, width: size?.width ?? null, height: size?.height ?? null, notice: null, quotaBytes: null },
      context.now(),
    );
    await linkAttachments(context.db, blobs, { ownerId: live.ownerId, threadId: live.threadId, messageId: live.messageId, ids: [info.id] });
    return info.id;
  };
}

/**
 * The final commit. Whatever happens, the generation leaves this instance and its listeners hear the end (a stuck
 * "running" row would lock the thread): `done` is saved with the answer and published only after the commit, so
 * whoever hears it finds the answer saved.
 */
async function saveAnswer(context: AnswerContext, live: LiveGeneration, request: AnswerRequest, result: TurnResult, meta: MessageMeta): Promise<void> {
  const done: SeqEvent = { seq: live.events.length + 1, event: { type: "done", status: result.status, messageId: live.messageId } };
  const remaining = [...live.events.slice(live.flushed), done];
  try {
    await saveFinishedAnswer(context.db, {
      ownerId: live.ownerId,
      threadId: live.threadId,
      generationId: live.id,
      messageId: live.messageId,
      parts: live.state.parts,
      status: result.status,
      usage: result.usage,
      cost: result.cost?.total ?? null,
      uncachedCost: uncachedCostOf(result.usage, request.profile.price),
      error: result.error ? errorJson(result.error) : null,
      meta,
      usageRecord: { profile: request.profile.name, modelId: result.messages.at(-1)?.modelId ?? request.profile.modelId, now: context.now() },
      events: { firstSeq: remaining[0]!.seq, payloads: remaining.map((e) => e.event) },
    });
  } catch (error) {
    context.log.error({ err: error, generationId: live.id }, "saving the finished answer failed");
    await finishGeneration(context.db, live.id, "error").catch(() => undefined);
  } finally {
    live.events.push(done);
    live.flushed = live.events.length;
    context.relay.publish(live.id, [done]);
  }
}
