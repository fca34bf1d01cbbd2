import { randomBytes } from "node:crypto";
import type { Db } from "../../store/db.js";
import { checkPromptInput } from "../rules.js";
import { PromptStoreError, type PromptSnapshot, type PromptStore, type VersionSummary } from "../types.js";

const ID_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/** A 10-character id like Bedrock's. */
function newPromptId(): string {
  return [...randomBytes(10)].map((b) => ID_ALPHABET[b % ID_ALPHABET.length]).join("");
}

/**
 * PROMPT_STORE=local: prompts in our database (SQLite or PostgreSQL), with Bedrock's operations and rules. A unique
 * name makes creation idempotent across instances; versions are numbered in order and never change.
 */
export class LocalPromptStore implements PromptStore {
  readonly kind = "local" as const;
  constructor(
    private readonly db: Db,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async create(input: { name: string; text: string; description?: string; clientToken: string }): Promise<PromptSnapshot> {
    checkPromptInput(input);
    const now = this.clock().toISOString();
    await this.db
      .insertInto("prompts")
      .values({ id: newPromptId(), name: input.name, description: input.description ?? null, draft_text: input.text, client_token: input.clientToken, created_at: now, updated_at: now })
      .onConflict((oc) => oc.column("name").doNothing())
      .execute();
    const row = await this.db.selectFrom("prompts").selectAll().where("name", "=", input.name).executeTakeFirstOrThrow();
    if (row.client_token !== input.clientToken) throw new PromptStoreError("conflict", `A prompt named ${input.name} already exists.`);
    return draftOf(row);
  }

  async findByName(name: string): Promise<{ id: string; name: string } | undefined> {
    return this.db.selectFrom("prompts").select(["id", "name"]).where("name", "=", name).executeTakeFirst();
  }

  async get(id: string, version?: number): Promise<PromptSnapshot> {
    const prompt = await this.prompt(id);
    if (version === undefined) return draftOf(prompt);
    const row = await this.db.selectFrom("prompt_versions").selectAll().where("prompt_id", "=", id).where("version", "=", version).executeTakeFirst();
    if (!row) throw new PromptStoreError("not_found", `Version ${version} of prompt ${prompt.name} does not exist.`);
    return { id, name: prompt.name, version: row.version, text: row.text, description: row.description, createdAt: row.created_at, updatedAt: row.created_at };
  }

  async updateDraft(id: string, input: { name: string; text: string; description?: string }): Promise<PromptSnapshot> {
    checkPromptInput(input);
    const prompt = await this.prompt(id);
    if (input.name !== prompt.name) throw new PromptStoreError("validation", "A prompt's name cannot be changed here.");
    await this.db
      .updateTable("prompts")
      .set({ draft_text: input.text, ...(input.description !== undefined ? { description: input.description } : {}), updated_at: this.clock().toISOString() })
      .where("id", "=", id)
      .execute();
    return draftOf(await this.prompt(id));
  }

  async createVersion(id: string, input: { description?: string; clientToken?: string }): Promise<PromptSnapshot> {
    checkPromptInput({ ...(input.description !== undefined ? { description: input.description } : {}) });
    // Two publishes at once may pick the same number: the loser's insert does nothing and it tries the next.
    for (let attempt = 0; attempt < 20; attempt++) {
      if (input.clientToken) {
        const done = await this.db.selectFrom("prompt_versions").select("version").where("prompt_id", "=", id).where("client_token", "=", input.clientToken).executeTakeFirst();
        if (done) return this.get(id, done.version);
      }
      const prompt = await this.prompt(id);
      const last = await this.db.selectFrom("prompt_versions").select((eb) => eb.fn.max("version").as("v")).where("prompt_id", "=", id).executeTakeFirst();
      const version = Number(last?.v ?? 0) + 1;
      const inserted = await this.db
        .insertInto("prompt_versions")
        .values({ prompt_id: id, version, text: prompt.draft_text, description: input.description ?? null, client_token: input.clientToken ?? null, created_at: this.clock().toISOString() })
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) return this.get(id, version);
    }
    throw new PromptStoreError("conflict", "Another version is being published at the same moment; try again.");
  }

  async listVersions(id: string): Promise<VersionSummary[]> {
    await this.prompt(id);
    const rows = await this.db.selectFrom("prompt_versions").select(["version", "description", "created_at"]).where("prompt_id", "=", id).orderBy("version").execute();
    return rows.map((r) => ({ version: r.version, description: r.description, createdAt: r.created_at }));
  }

  private async prompt(id: string) {
    const row = await this.db.selectFrom("prompts").selectAll().where("id", "=", id).executeTakeFirst();
    if (!row) throw new PromptStoreError("not_found", `Prompt ${id} does not exist.`);
    return row;
  }
}

function draftOf(row: { id: string; name: string; draft_text: string; description: string | null; created_at: string; updated_at: string }): PromptSnapshot {
  return { id: row.id, name: row.name, version: "DRAFT", text: row.draft_text, description: row.description, createdAt: row.created_at, updatedAt: row.updated_at };
}
