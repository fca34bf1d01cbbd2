import { useCallback, useEffect, useRef, useState } from "react";
import { api, ApiError } from "../../api/client.js";
import { streamAnswer, type StreamHandlers } from "../../api/sse.js";
import type { AttachmentInfo, ChatSettings, GenerationEvent, Message, ThreadDetail, ToolDecision } from "../../api/types.js";
import { emptyLive, foldLive, type LiveAnswer } from "./live-answer.js";

/**
 * A thread just started by a new chat's Send (POST /api/threads with its first message): the page opens it from
 * what that answer said, without waiting for another load, and follows its answer at once.
 */
const started = new Map<string, { detail: ThreadDetail; generationId: string; messageId: string; stream: OpenedStream }>();
export function seedStartedThread(detail: ThreadDetail, generationId: string, messageId: string): void {
  started.set(detail.thread.id, { detail, generationId, messageId, stream: openStream(generationId) });
}

/**
 * An answer's events, subscribed before the page that shows them exists (a new chat's thread opens a moment later):
 * what arrives meanwhile is kept and handed over with the handlers.
 */
interface OpenedStream {
  attach(handlers: StreamHandlers): void;
  stop(): void;
}
function openStream(generationId: string): OpenedStream {
  const early: GenerationEvent[] = [];
  let target: StreamHandlers | null = null;
  const stop = streamAnswer(generationId, {
    onEvent: (event) => (target ? target.onEvent(event) : early.push(event)),
    onReconnecting: () => target?.onReconnecting(),
    onReconnected: () => target?.onReconnected(),
  });
  return {
    attach(handlers) {
      for (const event of early.splice(0)) handlers.onEvent(event);
      target = handlers;
    },
    stop,
  };
}

/** The question and an answer placeholder shown the moment Send is pressed, before the server has answered. */
export function provisionalTurn(threadId: string, parentId: string | null, profile: string, text: string, files: readonly AttachmentInfo[]): { question: Message; answer: Message } {
  const id = `pending-${Date.now()}`;
  const parts: Message["parts"] = [
    ...(text.trim() ? [{ type: "text" as const, text }] : []),
    ...files.map((f) =>
      f.kind === "image"
        ? { type: "image" as const, format: f.format as "png", source: { type: "attachment" as const, id: f.id }, fileName: f.fileName }
        : { type: "document" as const, format: f.format as "pdf", name: f.fileName, source: { type: "attachment" as const, id: f.id }, fileName: f.fileName },
    ),
  ];
  const question: Message = { ...placeholder(`${id}-q`, parentId ?? "", threadId, profile), parentId, role: "user", parts, status: "complete", profile: null, modelId: null };
  return { question, answer: placeholder(`${id}-a`, question.id, threadId, profile) };
}

/** Loads a thread, follows its running generation (resuming after reloads and network loss), and acts on it. */
export function useChat(threadId: string | null, onThreadsChanged: () => void) {
  const [detail, setDetail] = useState<ThreadDetail | null>(null);
  /** The detail as last rendered, for Send to build on at once (a state updater may run later). */
  const detailRef = useRef(detail);
  detailRef.current = detail;
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [live, setLive] = useState<LiveAnswer | null>(null);
  const [reconnecting, setReconnecting] = useState(false);
  const unfollow = useRef<(() => void) | null>(null);
  const current = useRef(threadId);
  current.current = threadId;

  const reload = useCallback(async (id: string) => {
    try {
      const next = await api.thread(id);
      if (current.current !== id) return null;
      setDetail(next);
      setLoadError(null);
      return next;
    } catch (error) {
      if (current.current === id) setLoadError(error as ApiError);
      return null;
    }
  }, []);

  const follow = useCallback(
    (id: string, generationId: string, messageId: string, opened?: OpenedStream) => {
      unfollow.current?.();
      setLive(emptyLive(generationId, messageId));
      const handlers: StreamHandlers = {
        onEvent: (event) => {
          if (current.current !== id) return;
          setLive((prev) => (prev && prev.generationId === generationId ? foldLive(prev, event, Date.now()) : prev));
          if (event.type === "done") {
            void reload(id).then(() => {
              setLive((prev) => (prev?.generationId === generationId ? null : prev));
              // The thread list refreshes itself until the new title lands (App).
              onThreadsChanged();
            });
          }
        },
        onReconnecting: () => setReconnecting(true),
        onReconnected: () => setReconnecting(false),
      };
      if (opened) {
        opened.attach(handlers);
        unfollow.current = opened.stop;
      } else unfollow.current = streamAnswer(generationId, handlers);
    },
    [reload, onThreadsChanged],
  );

  useEffect(() => {
    unfollow.current?.();
    unfollow.current = null;
    setLive(null);
    setDetail(null);
    setLoadError(null);
    setReconnecting(false);
    if (!threadId) return;
    const seed = started.get(threadId);
    if (seed) {
      started.delete(threadId);
      setDetail(seed.detail);
      follow(threadId, seed.generationId, seed.messageId, seed.stream);
      return;
    }
    void reload(threadId).then((d) => {
      if (d?.running) follow(threadId, d.running.generationId, d.running.messageId);
    });
    return () => {
      unfollow.current?.();
      unfollow.current = null;
    };
  }, [threadId, reload, follow]);

  const send = useCallback(
    async (
      id: string,
      text: string,
      options: { parentId?: string | null; profile: string; settings: ChatSettings; attachments?: readonly string[]; files?: readonly AttachmentInfo[] },
    ) => {
      const files = options.files ?? [];
      // Shown at once: the question and a working answer, replaced by the stored ones when the server answers.
      const before = detailRef.current?.thread.id === id ? detailRef.current : null;
      const provisional = before ? provisionalTurn(id, options.parentId !== undefined ? options.parentId : before.thread.activeLeafId, options.profile, text, files) : undefined;
      if (provisional) {
        setDetail((d) => (d && d.thread.id === id ? { ...d, messages: [...d.messages, provisional.question, provisional.answer], thread: { ...d.thread, activeLeafId: provisional.answer.id } } : d));
        setLive(emptyLive("pending", provisional.answer.id));
      }
      const started = await api.send(id, {
        text,
        ...(options.parentId !== undefined ? { parentId: options.parentId } : {}),
        profile: options.profile,
        settings: options.settings,
        ...(options.attachments?.length ? { attachments: [...options.attachments] } : {}),
      }).catch((error: unknown) => {
        // Refused or failed: the thread as it was (the caller puts the text back in the box and says why).
        setDetail((d) => (d && before && d.thread.id === id ? { ...d, messages: before.messages, thread: { ...d.thread, activeLeafId: before.thread.activeLeafId } } : d));
        setLive((prev) => (prev?.generationId === "pending" ? null : prev));
        throw error;
      });
      const provisionalIds = new Set(provisional ? [provisional.question.id, provisional.answer.id] : []);
      setDetail((d) =>
        d && d.thread.id === id
          ? {
              ...d,
              messages: [...d.messages.filter((m) => !provisionalIds.has(m.id)), started.userMessage, placeholder(started.assistantMessageId, started.userMessage.id, id, options.profile)],
              // The message's files are the thread's now: shown by name and thumbnail until the next load says so too.
              attachments: [...d.attachments, ...files.filter((f) => !d.attachments.some((a) => a.id === f.id)).map((f) => ({ ...f, sent: true }))],
              thread: { ...d.thread, activeLeafId: started.assistantMessageId },
              running: { generationId: started.generationId, messageId: started.assistantMessageId },
            }
          : d,
      );
      follow(id, started.generationId, started.assistantMessageId);
      onThreadsChanged();
    },
    [follow, onThreadsChanged],
  );

  const regenerate = useCallback(
    async (messageId: string, options: { profile: string; settings: ChatSettings }) => {
      if (!threadId) return;
      const started = await api.regenerate(messageId, options);
      await reload(threadId);
      follow(threadId, started.generationId, started.assistantMessageId);
    },
    [threadId, reload, follow],
  );

  const stop = useCallback(async () => {
    if (live) await api.stop(live.generationId).catch(() => undefined);
  }, [live]);

  /** The user's answer to a tool call waiting for permission; the step changes when the server says it was decided. */
  const generationId = live?.generationId;
  const decideTool = useCallback(
    async (toolUseId: string, decision: ToolDecision) => {
      if (generationId) await api.decideTool(generationId, toolUseId, decision);
    },
    [generationId],
  );

  const selectVersion = useCallback(
    async (messageId: string) => {
      if (!threadId) return;
      await api.setActive(threadId, messageId);
      await reload(threadId);
    },
    [threadId, reload],
  );

  return { detail, setDetail, loadError, live, reconnecting, send, regenerate, stop, decideTool, selectVersion, reload };
}

function placeholder(id: string, parentId: string, threadId: string, profile: string): Message {
  return {
    id,
    threadId,
    parentId,
    role: "assistant",
    parts: [],
    status: "streaming",
    profile,
    modelId: null,
    usage: { inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 0, cacheWriteInputTokens: 0, cacheWrite1hInputTokens: 0 },
    cost: null,
    error: null,
    meta: {},
    createdAt: new Date().toISOString(),
  };
}

/** The thread a new chat's Send started, as a thread load would give it (the answer running). */
export function startedDetail(
  started: { thread: ThreadDetail["thread"]; generationId: string; userMessage: Message; assistantMessageId: string },
  profile: string,
  files: readonly AttachmentInfo[],
): ThreadDetail {
  return {
    thread: { ...started.thread, activeLeafId: started.assistantMessageId },
    messages: [started.userMessage, placeholder(started.assistantMessageId, started.userMessage.id, started.thread.id, profile)],
    attachments: files.map((f) => ({ ...f, sent: true })),
    running: { generationId: started.generationId, messageId: started.assistantMessageId },
    cost: { total: "0", complete: true },
  };
}
