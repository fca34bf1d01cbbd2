import type { ChatMessage } from "../../shared/api.js";
import type { Part, ToolResultPart } from "../../shared/parts.js";
import { pathTo } from "../../shared/thread-tree.js";
import type { Thread } from "../../store/threads.js";

/**
 * A thread as a file to keep (issue 12): the conversation shown (the path to the active version), each message's
 * text, reasoning, tool steps and attachments' names, and for each answer the profile, model and cost. Markdown to
 * read, JSON to process; both from one shape.
 */
export interface ThreadExport {
  format: "foundational-llm-chat/thread-export@1";
  exportedAt: string;
  thread: { id: string; title: string; profile: string; createdAt: string; activeAt: string; pinned: boolean; archived: boolean };
  /** Every answer and version paid for, and the titles (as the header's thread cost). */
  cost: { total: string; complete: boolean };
  messages: ExportedMessage[];
}

export interface ExportedToolStep {
  name: string;
  server?: string;
  tool?: string;
  input: unknown;
  status: ToolResultPart["status"] | "no result";
  notRun?: ToolResultPart["notRun"];
  durationMs?: number;
  /** The result's text (a long one: its beginning, as the thread shows it), JSON results as JSON text. */
  result: string[];
}

export interface ExportedMessage {
  id: string;
  role: ChatMessage["role"];
  createdAt: string;
  status: ChatMessage["status"];
  text: string;
  reasoning: string[];
  toolSteps: ExportedToolStep[];
  attachments: string[];
  /** Answers only: who wrote it and what it cost (null: the model has no price). */
  profile?: string | null;
  model?: string | null;
  cost?: string | null;
  usage?: ChatMessage["usage"];
  error?: string;
}

export function buildExport(thread: Thread, messages: readonly ChatMessage[], cost: { total: string; complete: boolean }, now = new Date()): ThreadExport {
  return {
    format: "foundational-llm-chat/thread-export@1",
    exportedAt: now.toISOString(),
    thread: { id: thread.id, title: thread.title, profile: thread.profile, createdAt: thread.createdAt, activeAt: thread.activeAt, pinned: thread.pinned, archived: thread.archivedAt !== null },
    cost,
    messages: pathTo(messages, thread.activeLeafId).map(exportMessage),
  };
}

function exportMessage(m: ChatMessage): ExportedMessage {
  const text: string[] = [];
  const reasoning: string[] = [];
  const attachments: string[] = [];
  const steps = new Map<string, ExportedToolStep>();
  for (const part of m.parts) {
    switch (part.type) {
      case "text":
        text.push(part.text);
        break;
      case "reasoning":
        if (part.text) reasoning.push(part.text);
        break;
      case "redactedReasoning":
        reasoning.push("(encrypted reasoning)");
        break;
      case "image":
      case "document":
        attachments.push(fileNameOf(part));
        break;
      case "toolUse":
        steps.set(part.id, { name: part.name, ...(part.server ? { server: part.server } : {}), ...(part.tool ? { tool: part.tool } : {}), input: part.input, status: "no result", result: [] });
        break;
      case "toolResult": {
        const step = steps.get(part.toolUseId);
        if (!step) break;
        step.status = part.status;
        if (part.notRun) step.notRun = part.notRun;
        if (part.durationMs !== undefined) step.durationMs = part.durationMs;
        for (const c of part.content) step.result.push(c.type === "text" ? c.text : c.type === "json" ? JSON.stringify(c.json, null, 2) : `[image: ${fileNameOf(c)}]`);
        break;
      }
      default:
        part satisfies never;
    }
  }
  const out: ExportedMessage = { id: m.id, role: m.role, createdAt: m.createdAt, status: m.status, text: text.join("\n\n"), reasoning, toolSteps: [...steps.values()], attachments };
  if (m.role === "assistant") Object.assign(out, { profile: m.profile, model: m.modelId, cost: m.cost, usage: m.usage });
  if (m.error) out.error = m.error.message;
  return out;
}

function fileNameOf(part: Extract<Part, { type: "image" | "document" }>): string {
  return part.fileName ?? (part.type === "document" ? part.name : `image.${part.format}`);
}

/** A fence longer than any run of backticks in the text, so the text cannot close it. */
function fenced(text: string, lang = ""): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  return `${fence}${lang}\n${text}\n${fence}`;
}

export function exportMarkdown(e: ThreadExport): string {
  const lines: string[] = [`# ${e.thread.title}`, ""];
  const total = `$${e.cost.total}${e.cost.complete ? "" : " (at least: some models have no price)"}`;
  lines.push(`Exported ${e.exportedAt} · profile ${e.thread.profile} · thread cost ${total}`, "");
  for (const m of e.messages) {
    if (m.role === "user") lines.push(`## You`, "");
    else {
      const cost = m.cost === null || m.cost === undefined ? "no price" : `$${m.cost}`;
      lines.push(`## Assistant · ${m.profile ?? "unknown profile"} (${m.model ?? "unknown model"}) · ${cost}`, "");
    }
    for (const r of m.reasoning) lines.push("<details><summary>Thinking</summary>", "", r, "", "</details>", "");
    for (const step of m.toolSteps) {
      const where = step.server ? ` (${step.server})` : "";
      const how = [step.notRun ? `not run: ${step.notRun}` : step.status, step.durationMs !== undefined ? `${step.durationMs} ms` : ""].filter(Boolean).join(", ");
      lines.push(`**Tool: ${step.tool ?? step.name}${where}** · ${how}`, "", fenced(JSON.stringify(step.input, null, 2), "json"), "");
      if (step.result.length) lines.push("Result:", "", fenced(step.result.join("\n")), "");
    }
    if (m.text) lines.push(m.text, "");
    if (m.attachments.length) lines.push(`Attachments: ${m.attachments.join(", ")}`, "");
    if (m.error) lines.push(`> Error: ${m.error}`, "");
  }
  return `${lines.join("\n").trimEnd()}\n`;
}

/** A file name from the title: letters, digits, spaces and hyphens, at most 80 characters. */
export function exportFileName(title: string, extension: "md" | "json"): string {
  const base = title.normalize("NFKD").replace(/[^\w\s-]/g, "").trim().replace(/\s+/g, " ").slice(0, 80).trim() || "thread";
  return `${base}.${extension}`;
}
