/**
 * Shapes of the server's JSON API (see /api/docs): the server's own types from src/shared (type-only imports, so
 * no server code reaches the bundle). Only what the server has no shared type for is declared here.
 */
import type { User } from "../../../src/shared/accounts.js";

export type {
  ChatMessage as Message,
  ChatSettings,
  Effort,
  MessageMeta,
  ProfileDescription as Profile,
  ProfileSettingsRules,
  SamplingRule,
  Thread,
  ThreadSummary,
  ThreadPage, // threads (issue 12)
  Usage,
  ThreadDetail,
  AttachmentInfo,
  AttachmentRules,
  StarterPrompt,
} from "../../../src/shared/api.js";
export type { DocumentPart, FileSource, ImagePart, Part, ReasoningPart, RedactedReasoningPart, TextPart, ToolResultContent, ToolResultPart, ToolUsePart } from "../../../src/shared/parts.js";
export type { Preferences, PreferencesPatch } from "../../../src/shared/preferences.js";
export type { GenerationEvent, ToolApprovalEvent, ToolDecision } from "../../../src/shared/generation-events.js";
export type { Account, AuditEntry, ToolCallsByTool, ToolCallsByUser, ToolCallsReport, UsageReport, UsageRow } from "../../../src/shared/accounts.js";
export type { User as SessionUser } from "../../../src/shared/accounts.js";
export type { McpCatalog, McpDisconnectReply, McpServerInfo, ToolPermissionInfo } from "../../../src/shared/mcp.js";

/** GET /api/mcp/servers/:id/tools: the server connects now and lists its tools (and those the model cannot take, with why). */
export type { McpToolsReply } from "../../../src/shared/mcp.js";

/** GET /api/threads/:id. */

export type AuthMode = "none" | "local" | "oidc";

export interface SessionInfo {
  authMode: AuthMode;
  user: User | null;
  setupRequired: boolean;
}
