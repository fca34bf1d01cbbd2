import type { Generated } from "kysely";

/** Database tables. Portable column types (text, integer); JSON is stored as text; times as ISO-8601 text. */
export interface Database {
  users: UsersTable;
  threads: ThreadsTable;
  messages: MessagesTable;
  generations: GenerationsTable;
  generation_events: GenerationEventsTable;
  message_search: MessageSearchTable;
  sessions: SessionsTable;
  setup_tokens: SetupTokensTable;
  login_attempts: LoginAttemptsTable;
  user_preferences: UserPreferencesTable;
  blobs: BlobsTable;
  attachments: AttachmentsTable;
  mcp_servers: McpServersTable;
  mcp_oauth: McpOAuthTable;
  tool_permissions: ToolPermissionsTable;
  usage_records: UsageRecordsTable;
  tool_calls: ToolCallsTable;
  audit_log: AuditLogTable;
  // System prompts (issue 13, migration 015)
  prompts: PromptsTable;
  prompt_versions: PromptVersionsTable;
  prompt_pins: PromptPinsTable;
  thread_prompts: ThreadPromptsTable;
  prompt_uses: PromptUsesTable;
}

export interface UsersTable {
  id: string;
  email: string | null;
  name: string;
  role: "admin" | "user";
  disabled: Generated<number>;
  created_at: string;
  /** scrypt$N$r$p$salt$hash (node:crypto), null for OpenID and local-mode users. */
  password_hash: Generated<string | null>;
  oidc_issuer: Generated<string | null>;
  oidc_subject: Generated<string | null>;
  last_login_at: Generated<string | null>;
  /** Monthly spending cap in USD, exact decimal text; null: the server default. */
  monthly_cap: Generated<string | null>;
  /** Generations per minute; null: the server default. */
  rate_per_minute: Generated<number | null>;
}

/** Sign-in sessions: the cookie holds a random token, the database only its SHA-256. */
export interface SessionsTable {
  token_hash: string;
  user_id: string;
  created_at: string;
  expires_at: string;
  user_agent: string | null;
  id_token: string | null;
}

/** One-time tokens that allow creating the first admin account (printed to the server log). */
export interface SetupTokensTable {
  token_hash: string;
  created_at: string;
  expires_at: string;
  /** Always 1: a unique index keeps one token at a time. */
  slot: Generated<number>;
}

/**
 * Sign-in and password-change attempts, claimed before the password is checked: `key` is what is tried
 * (`email:<normalized email>`, known or unknown alike, or `password:<user id>`).
 */
export interface LoginAttemptsTable {
  key: string;
  /** Attempts claimed since the window started (a success deletes the row). */
  attempts: number;
  window_started_at: string;
  /** Set by the claim that reaches the limit; later claims are refused until then. */
  locked_until: string | null;
}

/** File bytes, once per owner and content: in the database (`bytes`) or in S3 (`s3_key`). */
export interface BlobsTable {
  id: string;
  owner_id: string;
  sha256: string;
  size: number;
  bytes: Uint8Array | null;
  s3_key: string | null;
  created_at: string;
}

/** A user's uploaded file; `message_id` is null until it is sent (pending uploads expire after a day). */
export interface AttachmentsTable {
  id: string;
  owner_id: string;
  blob_id: string;
  thread_id: string | null;
  message_id: string | null;
  file_name: string;
  model_name: string;
  kind: "image" | "document";
  format: string;
  size: number;
  width: number | null;
  height: number | null;
  notice: string | null;
  created_at: string;
}

/** A user's MCP server (Streamable HTTP); headers encrypted at rest. */
export interface McpServersTable {
  id: string;
  owner_id: string;
  name: string;
  url: string;
  headers_encrypted: string | null;
  enabled: Generated<number>;
  ask_before_running: Generated<number>;
  disabled_tools: Generated<string>;
  /** "user" (added by URL), "listed" (from MCP_SERVERS_FILE), "stdio" (a program, AUTH_MODE=none only). */
  source: Generated<"user" | "listed" | "stdio">;
  /** stdio: the command, arguments and environment as JSON, encrypted. */
  stdio_encrypted: string | null;
  created_at: string;
  updated_at: string;
}

/** A user's decision about one tool of their MCP server: "allow" (runs without asking) or "ask" (asks although read-only). */
export interface ToolPermissionsTable {
  server_id: string;
  owner_id: string;
  tool: string;
  permission: "allow" | "ask";
  created_at: string;
}

/** OAuth of one MCP server of a user (migration 011): client, discovery, tokens (encrypted) and the pending sign-in. */
export interface McpOAuthTable {
  server_id: string;
  owner_id: string;
  client_id: string | null;
  client_secret_encrypted: string | null;
  registration_encrypted: string | null;
  discovery: string | null;
  tokens_encrypted: string | null;
  token_version: Generated<number>;
  pending_state_hash: string | null;
  pending_verifier_encrypted: string | null;
  pending_expires_at: string | null;
  created_at: string;
  updated_at: string;
}

/** A user's display preferences (src/shared/preferences.ts) as JSON text. */
export interface UserPreferencesTable {
  user_id: string;
  data: string;
  updated_at: string;
}

/** Every paid model call (answers and titles), for per-user spending caps and the admin usage report. */
export interface UsageRecordsTable {
  id: string;
  user_id: string;
  thread_id: string | null;
  kind: "answer" | "title";
  profile: string | null;
  model_id: string;
  input_tokens: number;
  output_tokens: number;
  /** Exact decimal text, null when the model has no price configured. */
  cost: string | null;
  created_at: string;
  // prompt caching (issue 15, migration 017)
  cache_read_tokens: Generated<number>;
  /** All cache writes; `cache_write_1h_tokens` of them with the 1-hour TTL. */
  cache_write_tokens: Generated<number>;
  cache_write_1h_tokens: Generated<number>;
  /** What the same tokens would have cost without caching (cache tokens at the input price); null without a price. */
  uncached_cost: Generated<string | null>;
}

/** One MCP tool call of a saved answer (written with it), for the admin usage pages. */
export interface ToolCallsTable {
  id: string;
  user_id: string;
  thread_id: string;
  message_id: string;
  generation_id: string | null;
  /** Null when the tool the model named was not known. */
  server: string | null;
  /** The MCP tool's own name (the model's name when not known). */
  tool: string;
  duration_ms: number | null;
  status: "success" | "error";
  created_at: string;
}

export interface AuditLogTable {
  id: string;
  actor_id: string | null;
  action: string;
  target_id: string | null;
  /** JSON details of the action. */
  detail: string | null;
  created_at: string;
}

export interface ThreadsTable {
  id: string;
  owner_id: string;
  title: string;
  profile: string;
  /** JSON: SettingsInput plus UI-only settings (cost display). */
  settings: string;
  /** Last message of the branch shown (edit/regenerate make siblings). */
  active_leaf_id: string | null;
  /** Cost not attached to a message (title generation), exact decimal text. */
  extra_cost: Generated<string>;
  created_at: string;
  updated_at: string;
  // threads (issue 12, migration 016)
  /** The last activity (a message or an answer): what orders the list. A rename or a settings change is not one. */
  active_at: Generated<string>;
  /** 1: kept on top of the list. */
  pinned: Generated<number>;
  /** When the thread was archived (hidden from the list, listed under Archived); null: not archived. */
  archived_at: string | null;
}

export interface MessagesTable {
  id: string;
  owner_id: string;
  thread_id: string;
  parent_id: string | null;
  role: "user" | "assistant";
  /** JSON array of engine parts; an assistant row holds the whole turn, tool rounds included. */
  parts: string;
  status: "streaming" | "complete" | "stopped" | "error";
  profile: string | null;
  model_id: string | null;
  input_tokens: Generated<number>;
  output_tokens: Generated<number>;
  cache_read_tokens: Generated<number>;
  cache_write_tokens: Generated<number>;
  /** The 1-hour share of `cache_write_tokens` (migration 017). */
  cache_write_1h_tokens: Generated<number>;
  /** Exact decimal text, null when unknown (no price configured). */
  cost: string | null;
  /** JSON {code, message, retryable} when status is error. */
  error: string | null;
  /** JSON: reasoningMs, stopReason, notices. */
  meta: string | null;
  created_at: string;
  updated_at: string;
}

export interface GenerationsTable {
  id: string;
  owner_id: string;
  thread_id: string;
  message_id: string;
  status: "running" | "complete" | "stopped" | "error";
  stop_requested: Generated<number>;
  instance_id: string;
  last_seq: Generated<number>;
  started_at: string;
  finished_at: string | null;
  /** Last sign of life from the instance running it (multi-instance orphan detection). */
  heartbeat_at: Generated<string | null>;
  /** Worst-case cost reserved while running (exact decimal text; spending caps count it until the answer settles). */
  reserved_cost: Generated<string | null>;
}

/** A generation's events, flushed in batches: events first_seq..last_seq as a JSON array. */
export interface GenerationEventsTable {
  generation_id: string;
  first_seq: number;
  last_seq: number;
  payload: string;
}

/** Plain text of messages for full-text search (SQLite: an FTS5 table; text parts only, never JSON keys). */
export interface MessageSearchTable {
  message_id: string;
  thread_id: string;
  owner_id: string;
  body: string;
}

// System prompts (issue 13, migration 015) ------------------------------------------------------------------------

/** A prompt of the local store (PROMPT_STORE=local): its mutable draft; versions are in prompt_versions. */
export interface PromptsTable {
  id: string;
  name: string;
  description: string | null;
  draft_text: string;
  client_token: string | null;
  created_at: string;
  updated_at: string;
}

/** An immutable numbered version of a local prompt (1, 2, ...). */
export interface PromptVersionsTable {
  prompt_id: string;
  version: number;
  text: string;
  description: string | null;
  client_token: string | null;
  created_at: string;
}

/** The version in use of each profile's prompt, per store ("local" or "bedrock"). */
export interface PromptPinsTable {
  store: string;
  prompt_key: string;
  prompt_id: string;
  version: number;
  updated_at: string;
  updated_by: string | null;
}

/** The resolved system prompt a thread took at its first turn (kept for all its turns). */
export interface ThreadPromptsTable {
  thread_id: string;
  owner_id: string;
  prompt_key: string;
  prompt_id: string;
  version: number;
  text: string;
  created_at: string;
}

/** Which prompt version an answer used (the admin Prompts page's per-version figures). */
export interface PromptUsesTable {
  message_id: string;
  prompt_key: string;
  prompt_id: string;
  version: number;
  created_at: string;
}
