/**
 * Accounts, usage and audit entries as the API returns them. Types only: shared by the server and the web app (a
 * change here is a compile error on both sides).
 */
export type AccountRole = "admin" | "user";

export interface User {
  id: string;
  email: string | null;
  name: string;
  role: AccountRole;
}

/** What the admin pages show of an account. */
export interface Account extends User {
  disabled: boolean;
  createdAt: string;
  lastLoginAt: string | null;
  /** How the user signs in. */
  signIn: "password" | "oidc" | "none";
  monthlyCap: string | null;
  ratePerMinute: number | null;
  lockedUntil: string | null;
  /** Bytes the user's attachments take (GET /api/admin/users). */
  storageBytes?: number;
}

/** Usage of one user with one model on one day (UTC). */
export interface UsageRow {
  day: string;
  userId: string;
  email: string | null;
  modelId: string;
  calls: number;
  /** Input tokens neither read from nor written to the prompt cache (Bedrock's `inputTokens`). */
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  /** All cache writes; `cacheWrite1hTokens` of them with the 1-hour TTL. */
  cacheWriteTokens: number;
  cacheWrite1hTokens: number;
  /** Exact decimal text: what was billed, cache reads and writes at their prices. */
  cost: string;
  /** Exact decimal text: what the same tokens would have cost without caching (every cache token at the input price). */
  uncachedCost: string;
}

/** A user's MCP tool calls over a period. */
export interface ToolCallsByUser {
  userId: string;
  email: string | null;
  calls: number;
  /** Calls whose result was an error (the tool failed, timed out or was stopped). */
  errors: number;
  /** Time the calls took, added up (ms). */
  totalMs: number;
}

/** One MCP tool's calls over a period (`server` null: a tool the model named that was not offered). */
export interface ToolCallsByTool {
  server: string | null;
  tool: string;
  calls: number;
  errors: number;
  /** Median and mean time of a call (ms); null when no call has one. */
  p50Ms: number | null;
  avgMs: number | null;
}

export interface ToolCallsReport {
  byUser: ToolCallsByUser[];
  byTool: ToolCallsByTool[];
}

/** GET /api/admin/usage: usage per day, user and model, and the tool calls, since `since` (the first day of the period, UTC). */
/** A caching profile whose config lacks cache prices: those tokens are billed at the input price. */
export interface MissingCachePrices {
  profile: string;
  modelId: string;
  /** The missing config keys, e.g. "cache_read_1k_price". */
  missing: string[];
}

export interface UsageReport {
  since: string;
  rows: UsageRow[];
  toolCalls: ToolCallsReport;
  /** Profiles that cache prompts without a price for their cache reads or writes (config.json). */
  missingCachePrices: MissingCachePrices[];
}

export interface AuditEntry {
  id: string;
  actorId: string | null;
  actorEmail: string | null;
  action: string;
  targetId: string | null;
  targetEmail: string | null;
  detail: Record<string, unknown> | null;
  createdAt: string;
}
