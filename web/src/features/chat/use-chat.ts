import { useCallback, useEffect, useRef, useState } from "react";
import { api, ApiError } from "../../api/client.js";
import { streamAnswer } from "../../api/sse.js";
import type { AttachmentInfo, ChatSettings, Message, ThreadDetail, ToolDecision } from "../../api/types.js";
import { emptyLive, foldLive, type LiveAnswer } from "./live-answer.js";

/** Loads a thread, follows its running generation (resuming after reloads and network loss), and acts on it. */
export function useChat(threadId: string | null, onThreadsChanged: () => void) {
  const [detail, setDetail] = useState<ThreadDetail | null>(null);
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
    (id: string, generationId: string, messageId: string) => {
      unfollow.current?.();
      setLive(emptyLive(generationId, messageId));
      unfollow.current = streamAnswer(generationId, {
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
      });
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
      const started = await api.send(id, {
        text,
        ...(options.parentId !== undefined ? { parentId: options.parentId } : {}),
        profile: options.profile,
        settings: options.settings,
        ...(options.attachments?.length ? { attachments: [...options.attachments] } : {}),
      });
      setDetail((d) =>
        d && d.thread.id === id
          ? {
              ...d,
              messages: [...d.messages, started.userMessage, placeholder(started.assistantMessageId, started.userMessage.id, id, options.profile)],
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
    usage: { inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 },
    cost: null,
    error: null,
    meta: {},
    createdAt: new Date().toISOString(),
  };
}
