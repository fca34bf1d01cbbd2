import {
  BedrockAgentClient,
  CreatePromptCommand,
  CreatePromptVersionCommand,
  GetPromptCommand,
  paginateListPrompts,
  UpdatePromptCommand,
  type PromptVariant,
} from "@aws-sdk/client-bedrock-agent";
import { placeholdersIn } from "../../engine/system-prompt.js";
import { PromptStoreError, type PromptSnapshot, type PromptStore, type VersionSummary } from "../types.js";
import { fromBedrockError } from "./errors.js";

const VARIANT = "default";

/**
 * PROMPT_STORE=bedrock: Amazon Bedrock Prompt Management through @aws-sdk/client-bedrock-agent (endpoint from the
 * standard AWS_ENDPOINT_URL_BEDROCK_AGENT, credentials from the standard chain). A prompt is one TEXT variant whose
 * input variables are the registry's placeholders it contains; a prompt without text has no variant.
 */
export class BedrockPromptStore implements PromptStore {
  readonly kind = "bedrock" as const;
  private readonly client: BedrockAgentClient;

  constructor(options: { region: string; client?: BedrockAgentClient }) {
    this.client = options.client ?? new BedrockAgentClient({ region: options.region });
  }

  async create(input: { name: string; text: string; description?: string; clientToken: string }): Promise<PromptSnapshot> {
    const reply = await this.send("CreatePrompt", () =>
      this.client.send(new CreatePromptCommand({ name: input.name, ...(input.description ? { description: input.description } : {}), ...variantsOf(input.text), clientToken: input.clientToken })),
    );
    return snapshotOf(reply);
  }

  async findByName(name: string): Promise<{ id: string; name: string } | undefined> {
    return this.send("ListPrompts", async () => {
      for await (const page of paginateListPrompts({ client: this.client, pageSize: 100 }, {})) {
        const found = page.promptSummaries?.find((s) => s.name === name);
        if (found?.id) return { id: found.id, name };
      }
      return undefined;
    });
  }

  async get(id: string, version?: number): Promise<PromptSnapshot> {
    const reply = await this.send("GetPrompt", () => this.client.send(new GetPromptCommand({ promptIdentifier: id, ...(version !== undefined ? { promptVersion: String(version) } : {}) })));
    return snapshotOf(reply);
  }

  async updateDraft(id: string, input: { name: string; text: string; description?: string }): Promise<PromptSnapshot> {
    const reply = await this.send("UpdatePrompt", () =>
      this.client.send(new UpdatePromptCommand({ promptIdentifier: id, name: input.name, ...(input.description ? { description: input.description } : {}), ...variantsOf(input.text) })),
    );
    return snapshotOf(reply);
  }

  async createVersion(id: string, input: { description?: string; clientToken?: string }): Promise<PromptSnapshot> {
    const reply = await this.send("CreatePromptVersion", () =>
      this.client.send(new CreatePromptVersionCommand({ promptIdentifier: id, ...(input.description ? { description: input.description } : {}), ...(input.clientToken ? { clientToken: input.clientToken } : {}) })),
    );
    return snapshotOf(reply);
  }

  async listVersions(id: string): Promise<VersionSummary[]> {
    return this.send("ListPrompts", async () => {
      const versions: VersionSummary[] = [];
      for await (const page of paginateListPrompts({ client: this.client, pageSize: 100 }, { promptIdentifier: id })) {
        for (const s of page.promptSummaries ?? []) {
          if (s.version && s.version !== "DRAFT") versions.push({ version: Number(s.version), description: s.description ?? null, createdAt: iso(s.createdAt) });
        }
      }
      return versions.sort((a, b) => a.version - b.version);
    });
  }

  close(): void {
    this.client.destroy();
  }

  private async send<T>(action: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw fromBedrockError(error, action);
    }
  }
}

/** The variant of a text: one TEXT template (none for an empty text, which Bedrock does not take). */
function variantsOf(text: string): { defaultVariant?: string; variants: PromptVariant[] } {
  if (text === "") return { variants: [] };
  const inputVariables = placeholdersIn(text).known.map((name) => ({ name }));
  return { defaultVariant: VARIANT, variants: [{ name: VARIANT, templateType: "TEXT", templateConfiguration: { text: { text, ...(inputVariables.length ? { inputVariables } : {}) } } }] };
}

interface PromptReply {
  id?: string | undefined;
  name?: string | undefined;
  version?: string | undefined;
  description?: string | undefined;
  variants?: PromptVariant[] | undefined;
  defaultVariant?: string | undefined;
  createdAt?: Date | undefined;
  updatedAt?: Date | undefined;
}

function snapshotOf(reply: PromptReply): PromptSnapshot {
  if (!reply.id || !reply.name || !reply.version) throw new PromptStoreError("unavailable", "Amazon Bedrock sent an incomplete prompt.");
  return {
    id: reply.id,
    name: reply.name,
    version: reply.version === "DRAFT" ? "DRAFT" : Number(reply.version),
    text: textOf(reply),
    description: reply.description ?? null,
    createdAt: iso(reply.createdAt),
    updatedAt: iso(reply.updatedAt ?? reply.createdAt),
  };
}

/** The default variant's text (as the original app: a TEXT template's text, else a CHAT template's system text, else ""). */
function textOf(reply: PromptReply): string {
  const variant = reply.variants?.find((v) => v.name === reply.defaultVariant) ?? reply.variants?.[0];
  const config = variant?.templateConfiguration;
  if (config && "text" in config && config.text) return config.text.text ?? "";
  if (config && "chat" in config && config.chat) return (config.chat.system ?? []).map((s) => ("text" in s ? (s.text ?? "") : "")).join("\n");
  return "";
}

const iso = (date: Date | undefined) => (date ?? new Date(0)).toISOString();
