import type { Account, AttachmentRules, AuditEntry, ChatSettings, McpServerInfo, McpToolsReply, Message, Preferences, PreferencesPatch, Profile, SessionInfo, SessionUser, Thread, ThreadDetail, ThreadPage, UsageReport } from "./types.js";
import type { McpCatalog, McpDisconnectReply, StarterPrompt, ToolDecision, ToolPermissionInfo } from "./types.js";
import type { PromptDetail, PromptSummaryInfo, PromptVersionText, SystemPromptState } from "../../../src/shared/prompts.js"; // issue 13

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

async function request<T>(method: string, path: string, body?: unknown, started?: Promise<Response>, quiet = false): Promise<T> {
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
    // The session ended (expired, revoked, signed out in another tab): the app shows the sign-in page.
    if (res.status === 401 && !quiet && !path.startsWith("/auth/")) dispatchEvent(new Event("session-ended"));
    const error = (data as { error?: { code: string; message: string } } | undefined)?.error;
    throw new ApiError(res.status, error?.code ?? "http_error", error?.message ?? `The server answered ${res.status}.`);
  }
  return data as T;
}

/**
 * What the first screen needs starts loading with the page, in parallel: who is signed in (index.html may have
 * sent that request already), the profiles, the display preferences, the thread named in the address. A 401 here
 * is not "your session ended": it is someone who has not signed in yet.
 */
const early = new Map<string, Promise<unknown>>();
type ProfileList = { profiles: Profile[]; defaultProfile: string; attachments: AttachmentRules; starterPrompts: StarterPrompt[] };
type PreferencesReply = { preferences: Preferences };
export function prefetchStart(): void {
  const w = window as { __sessionResponse?: Promise<Response> };
  early.set("session", request<SessionInfo>("GET", "/api/session", undefined, w.__sessionResponse, true));
  delete w.__sessionResponse;
  const profiles = request<ProfileList>("GET", "/api/profiles", undefined, undefined, true);
  profiles.catch(() => undefined);
  early.set("profiles", profiles);
  const preferences = request<PreferencesReply>("GET", "/api/preferences", undefined, undefined, true);
  preferences.catch(() => undefined);
  early.set("preferences", preferences);
}
function takeEarly<T>(key: string): Promise<T> | undefined {
  const pending = early.get(key) as Promise<T> | undefined;
  early.delete(key);
  return pending;
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
  profiles: (): Promise<ProfileList> => takeEarly<ProfileList>("profiles")?.catch(() => request<ProfileList>("GET", "/api/profiles")) ?? request<ProfileList>("GET", "/api/profiles"),
  preferences: (): Promise<PreferencesReply> => takeEarly<PreferencesReply>("preferences")?.catch(() => request<PreferencesReply>("GET", "/api/preferences")) ?? request<PreferencesReply>("GET", "/api/preferences"),
  updatePreferences: (patch: PreferencesPatch) => request<PreferencesReply>("PATCH", "/api/preferences", patch),
  // threads (issue 12): a page of the list, a search or the archive; pin, archive, export
  threads: (options: { q?: string | undefined; cursor?: string | undefined; archived?: boolean } = {}) => {
    const params = new URLSearchParams();
    if (options.q) params.set("q", options.q);
    if (options.cursor) params.set("cursor", options.cursor);
    if (options.archived) params.set("archived", "true");
    const query = params.toString();
    return request<ThreadPage>("GET", `/api/threads${query ? `?${query}` : ""}`);
  },
  pinThread: (id: string, pinned: boolean) => request<{ thread: Thread }>("PUT", `/api/threads/${id}/pin`, { pinned }),
  archiveThread: (id: string, archived: boolean) => request<{ thread: Thread }>("PUT", `/api/threads/${id}/archive`, { archived }),
  /** The thread as a file: its name (from Content-Disposition) and its bytes. */
  exportThread: async (id: string, format: "markdown" | "json"): Promise<{ name: string; blob: Blob }> => {
    let res: Response;
    try {
      res = await fetch(`/api/threads/${id}/export?format=${format}`, { headers: { "x-requested-with": "fetch" } });
    } catch {
      throw new ApiError(0, "network", "Cannot reach the server. Check your connection and try again.");
    }
    if (!res.ok) throw new ApiError(res.status, "http_error", `The export failed (the server answered ${res.status}).`);
    const name = /filename="([^"]+)"/.exec(res.headers.get("content-disposition") ?? "")?.[1] ?? `thread.${format === "markdown" ? "md" : "json"}`;
    return { name, blob: await res.blob() };
  },
  createThread: (profile: string, settings: ChatSettings) => request<{ thread: Thread }>("POST", "/api/threads", { profile, settings }),
  /** A new chat and its first message in one request: the answer starts at once. */
  startThread: (body: { profile: string; settings: ChatSettings; message: { text: string; attachments?: string[] } }) =>
    request<{ thread: Thread; generationId: string; userMessage: Message; assistantMessageId: string }>("POST", "/api/threads", body),
  thread: (id: string) => takePrefetched(id) ?? request<ThreadDetail>("GET", `/api/threads/${id}`),
  updateThread: (id: string, patch: { title?: string; profile?: string; settings?: ChatSettings }) => request<{ thread: Thread }>("PATCH", `/api/threads/${id}`, patch),
  deleteThread: (id: string) => request<void>("DELETE", `/api/threads/${id}`),
  /** Removes an upload not sent yet (it would otherwise count against the quota until the daily sweep). */
  deleteAttachment: (id: string) => request<void>("DELETE", `/api/attachments/${id}`),
  setActive: (id: string, messageId: string) => request<{ thread: Thread }>("PUT", `/api/threads/${id}/active`, { messageId }),
  /** `attachments`: ids of uploaded files (POST /api/attachments, see upload.ts), in order; `text` may then be empty. */
  send: (threadId: string, body: { text: string; parentId?: string | null; profile?: string; settings?: ChatSettings; attachments?: string[] }) =>
    request<{ generationId: string; userMessage: Message; assistantMessageId: string }>("POST", `/api/threads/${threadId}/messages`, body),
  regenerate: (messageId: string, body: { profile?: string; settings?: ChatSettings }) =>
    request<{ generationId: string; assistantMessageId: string }>("POST", `/api/messages/${messageId}/regenerate`, body),
  stop: (generationId: string) => request<{ status: string }>("POST", `/api/generations/${generationId}/stop`),
  /** Allow, Always allow or Deny a tool call that waits for permission. */
  decideTool: (generationId: string, toolUseId: string, decision: ToolDecision) => request<{ status: string }>("POST", `/api/generations/${generationId}/tool-approvals`, { toolUseId, decision }),

  session: () => takeEarly<SessionInfo>("session") ?? request<SessionInfo>("GET", "/api/session"),
  signIn: (email: string, password: string) => request<{ user: SessionUser }>("POST", "/auth/login", { email, password }),
  setup: (body: { token: string; email: string; password: string }) => request<{ user: SessionUser }>("POST", "/auth/setup", body),
  signOut: (everywhere = false) => request<{ redirect: string }>("POST", everywhere ? "/auth/logout-everywhere" : "/auth/logout"),
  changePassword: (currentPassword: string, newPassword: string) => request<{ ok: true }>("POST", "/api/account/password", { currentPassword, newPassword }),

  /** The user's MCP servers; header values go in and never come back (only their names). */
  mcp: {
    servers: () => request<{ servers: McpServerInfo[] }>("GET", "/api/mcp/servers"),
    add: (body: { name: string; url: string; headers?: Record<string, string>; clientId?: string; clientSecret?: string }) => request<{ server: McpServerInfo }>("POST", "/api/mcp/servers", body),
    update: (id: string, patch: { enabled?: boolean; askBeforeRunning?: boolean; disabledTools?: string[]; headers?: Record<string, string> | null }) =>
      request<{ server: McpServerInfo }>("PATCH", `/api/mcp/servers/${encodeURIComponent(id)}`, patch),
    remove: (id: string) => request<void>("DELETE", `/api/mcp/servers/${encodeURIComponent(id)}`),
    /** Connects to the server now (this can take a few seconds). */
    tools: (id: string) => request<McpToolsReply>("GET", `/api/mcp/servers/${encodeURIComponent(id)}/tools`),
    /** The admin's list (MCP_SERVERS_FILE) and whether programs of one's own may be added (AUTH_MODE=none). */
    catalog: () => request<McpCatalog>("GET", "/api/mcp/catalog"),
    addListed: (name: string) => request<{ server: McpServerInfo }>("POST", "/api/mcp/servers/listed", { name }),
    addProgram: (body: { name: string; command: string }) => request<{ server: McpServerInfo }>("POST", "/api/mcp/servers/programs", body),
    /** Per-tool choices: "allow" (Always allow), "ask" (ask although read-only); null: the server's rule. */
    toolPermissions: () => request<{ permissions: ToolPermissionInfo[] }>("GET", "/api/mcp/tool-permissions"),
    setToolPermission: (serverId: string, tool: string, permission: "allow" | "ask" | null) => request<void>("PUT", `/api/mcp/servers/${encodeURIComponent(serverId)}/tool-permissions`, { tool, permission }),
    // MCP OAuth
    /** Starts a sign-in to an OAuth-protected server: the authorization page's address, for the sign-in window. */
    signIn: (id: string) => request<{ authorizationUrl: string }>("POST", `/api/mcp/servers/${encodeURIComponent(id)}/oauth/start`),
    /** Disconnect: the server's tokens are revoked where it offers that, and forgotten; says which. */
    disconnect: (id: string) => request<McpDisconnectReply>("DELETE", `/api/mcp/servers/${encodeURIComponent(id)}/oauth`),
    /** The OAuth client for a server without dynamic registration (null: none); the secret goes in and never comes back. */
    setClient: (id: string, client: { clientId: string | null; clientSecret?: string }) => request<{ server: McpServerInfo }>("PATCH", `/api/mcp/servers/${encodeURIComponent(id)}`, client),
  },

  admin: {
    users: () => request<{ users: Account[]; authMode: string }>("GET", "/api/admin/users"),
    addUser: (body: { email: string; password: string; role: "admin" | "user"; name?: string }) => request<{ user: Account }>("POST", "/api/admin/users", body),
    updateUser: (id: string, patch: Partial<{ disabled: boolean; role: "admin" | "user"; monthlyCap: string | null; ratePerMinute: number | null }>) =>
      request<{ user: Account }>("PATCH", `/api/admin/users/${id}`, patch),
    revokeSessions: (id: string) => request<{ revoked: number }>("POST", `/api/admin/users/${id}/revoke-sessions`),
    resetPassword: (id: string, password: string) => request<{ ok: true }>("POST", `/api/admin/users/${id}/password`, { password }),
    usage: (days: number) => request<UsageReport>("GET", `/api/admin/usage?days=${days}`),
    audit: () => request<{ entries: AuditEntry[] }>("GET", "/api/admin/audit"),
    // System prompts (issue 13)
    prompts: {
      list: () => request<{ store: "local" | "bedrock"; prompts: PromptSummaryInfo[] }>("GET", "/api/admin/prompts"),
      get: (name: string) => request<{ prompt: PromptDetail }>("GET", `/api/admin/prompt?name=${encodeURIComponent(name)}`),
      version: (name: string, version: number) => request<{ version: PromptVersionText }>("GET", `/api/admin/prompt/version?name=${encodeURIComponent(name)}&version=${version}`),
      saveDraft: (name: string, text: string) => request<{ prompt: PromptDetail }>("PUT", "/api/admin/prompt/draft", { name, text }),
      publish: (name: string, body: { note?: string; text?: string }) => request<{ prompt: PromptDetail; version: number }>("POST", "/api/admin/prompt/versions", { name, ...body }),
      rollBack: (name: string, version: number) => request<{ prompt: PromptDetail }>("PUT", "/api/admin/prompt/pin", { name, version }),
    },
  },

  // System prompts (issue 13): the prompt a thread (or a new chat with a profile) uses, and "Use the latest prompt"
  systemPrompt: (profile: string, threadId: string | null) =>
    request<{ systemPrompt: SystemPromptState }>("GET", threadId ? `/api/threads/${threadId}/system-prompt?profile=${encodeURIComponent(profile)}` : `/api/system-prompt?profile=${encodeURIComponent(profile)}`),
  useLatestPrompt: (threadId: string, profile: string) => request<{ systemPrompt: SystemPromptState }>("POST", `/api/threads/${threadId}/system-prompt/latest`, { profile }),
};
