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
  inputTokens: number;
  outputTokens: number;
  /** Exact decimal text. */
  cost: string;
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
