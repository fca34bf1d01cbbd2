import type { ChatSettings, Message, Profile, Thread, ThreadDetail, ThreadSummary } from "./types.js";

/** An error the server explained ({error: {code, message}}), or a network failure (code "network"). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function request<T>(method: string, path: string, body?: unknown, started?: Promise<Response>): Promise<T> {
  let res: Response;
  try {
    res = await (started ??
      fetch(path, {
        method,
        headers: { ...(body !== undefined ? { "content-type": "application/json" } : {}), "x-requested-with": "fetch" },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      }));
  } catch {
    throw new ApiError(0, "network", "Cannot reach the server. Check your connection and try again.");
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  const data = text ? (JSON.parse(text) as unknown) : undefined;
  if (!res.ok) {
    const error = (data as { error?: { code: string; message: string } } | undefined)?.error;
    throw new ApiError(res.status, error?.code ?? "http_error", error?.message ?? `The server answered ${res.status}.`);
  }
  return data as T;
}

/** The thread named in the address starts loading with the page, in parallel with the profiles. */
const prefetched = new Map<string, Promise<ThreadDetail>>();
export function prefetchThread(id: string): void {
  if (prefetched.has(id)) return;
  // index.html may already have sent the request before this code loaded.
  const early = (window as { __threadResponse?: Promise<Response> }).__threadResponse;
  delete (window as { __threadResponse?: Promise<Response> }).__threadResponse;
  prefetched.set(id, request<ThreadDetail>("GET", `/api/threads/${id}`, undefined, early));
}
function takePrefetched(id: string): Promise<ThreadDetail> | undefined {
  const pending = prefetched.get(id);
  prefetched.delete(id);
  return pending;
}

export const api = {
  profiles: () => request<{ profiles: Profile[]; defaultProfile: string }>("GET", "/api/profiles"),
  threads: (q?: string) => request<{ threads: ThreadSummary[] }>("GET", `/api/threads${q ? `?q=${encodeURIComponent(q)}` : ""}`),
  createThread: (profile: string, settings: ChatSettings) => request<{ thread: Thread }>("POST", "/api/threads", { profile, settings }),
  thread: (id: string) => takePrefetched(id) ?? request<ThreadDetail>("GET", `/api/threads/${id}`),
  updateThread: (id: string, patch: { title?: string; profile?: string; settings?: ChatSettings }) => request<{ thread: Thread }>("PATCH", `/api/threads/${id}`, patch),
  deleteThread: (id: string) => request<void>("DELETE", `/api/threads/${id}`),
  setActive: (id: string, messageId: string) => request<{ thread: Thread }>("PUT", `/api/threads/${id}/active`, { messageId }),
  send: (threadId: string, body: { text: string; parentId?: string | null; profile?: string; settings?: ChatSettings }) =>
    request<{ generationId: string; userMessage: Message; assistantMessageId: string }>("POST", `/api/threads/${threadId}/messages`, body),
  regenerate: (messageId: string, body: { profile?: string; settings?: ChatSettings }) =>
    request<{ generationId: string; assistantMessageId: string }>("POST", `/api/messages/${messageId}/regenerate`, body),
  stop: (generationId: string) => request<{ status: string }>("POST", `/api/generations/${generationId}/stop`),
};
