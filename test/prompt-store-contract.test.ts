import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { BedrockPromptStore } from "../src/prompts/bedrock/store.js";
import { LocalPromptStore } from "../src/prompts/local/store.js";
import { PromptStoreError, type PromptStore } from "../src/prompts/types.js";
import type { Db } from "../src/store/db.js";
import { useAgentEmulator } from "./helpers/agent-env.js";
import { databases } from "./helpers/databases.js";

const agent = useAgentEmulator();

/** One prompt store contract, run on Bedrock (the real SDK against the emulator) and on the local store (both databases). */
const stores: { name: string; available: boolean; open(): Promise<{ store: PromptStore; close(): Promise<void> }> }[] = [
  {
    name: "bedrock (emulator)",
    available: true,
    open: async () => {
      agent.emulator.reset();
      agent.emulator.quotas.versions = 20;
      const store = new BedrockPromptStore({ region: "us-west-2" });
      return { store, close: async () => store.close() };
    },
  },
  ...databases.map((kind) => ({
    name: `local (${kind.name})`,
    available: kind.available,
    open: async () => {
      const db: Db = await kind.open();
      return { store: new LocalPromptStore(db), close: () => db.destroy() };
    },
  })),
];

const token = (n: number | string) => `contract-token-${String(n).padStart(24, "0")}`;

async function refusal(work: Promise<unknown>): Promise<PromptStoreError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PromptStoreError);
  return error as PromptStoreError;
}

describe.each(stores)("prompt store contract: $name", (kind) => {
  if (!kind.available) {
    it.skip("PostgreSQL is not installed here (apt-get install postgresql)", () => undefined);
    return;
  }
  let store: PromptStore;
  let close: () => Promise<void>;
  beforeEach(async () => {
    ({ store, close } = await kind.open());
    return () => close();
  });

  it("creates a prompt as its draft and reads it back", async () => {
    const created = await store.create({ name: "fllm-default", text: "Today is {{TODAY}}.", description: "System prompt for Default", clientToken: token(1) });
    expect(created).toMatchObject({ name: "fllm-default", version: "DRAFT", text: "Today is {{TODAY}}." });
    expect(created.id).toMatch(/^[0-9A-Za-z]{10}$/);
    expect(await store.get(created.id)).toMatchObject({ id: created.id, version: "DRAFT", text: "Today is {{TODAY}}." });
    expect(await store.findByName("fllm-default")).toEqual({ id: created.id, name: "fllm-default" });
    expect(await store.findByName("fllm-other")).toBeUndefined();
  });

  it("creation is idempotent per client token; the same name with another token is a conflict", async () => {
    const first = await store.create({ name: "fllm-Nova", text: "Be brief.", clientToken: token(2) });
    const again = await store.create({ name: "fllm-Nova", text: "Be brief.", clientToken: token(2) });
    expect(again.id).toBe(first.id);
    expect((await refusal(store.create({ name: "fllm-Nova", text: "Be brief.", clientToken: token(3) }))).kind).toBe("conflict");
  });

  it("refuses names outside ([0-9a-zA-Z][_-]?){1,100}, texts over 200,000 characters and notes over 200", async () => {
    for (const name of ["my prompt", "-lead", "double--dash", "under__score", "", "x".repeat(101)]) {
      expect((await refusal(store.create({ name, text: "t", clientToken: token(`n${name.length}`) }))).kind, name).toBe("validation");
    }
    expect((await refusal(store.create({ name: "fllm-long", text: "x".repeat(200_001), clientToken: token(4) }))).kind).toBe("validation");
    const ok = await store.create({ name: "fllm-long", text: "x".repeat(200_000), clientToken: token(5) });
    expect((await refusal(store.createVersion(ok.id, { description: "n".repeat(201) }))).kind).toBe("validation");
  });

  it("a prompt without text has an empty draft and versions", async () => {
    const created = await store.create({ name: "fllm-empty", text: "", clientToken: token(6) });
    expect(created.text).toBe("");
    const v1 = await store.createVersion(created.id, { clientToken: token(7) });
    expect((await store.get(created.id, v1.version as number)).text).toBe("");
  });

  it("versions snapshot the draft, are numbered 1, 2, ... and never change afterwards", async () => {
    const { id } = await store.create({ name: "fllm-Claude", text: "First text", clientToken: token(8) });
    const v1 = await store.createVersion(id, { description: "first", clientToken: token(9) });
    expect(v1).toMatchObject({ version: 1, text: "First text" });
    const draft = await store.updateDraft(id, { name: "fllm-Claude", text: "Second text" });
    expect(draft).toMatchObject({ version: "DRAFT", text: "Second text" });
    expect((await store.get(id, 1)).text).toBe("First text");
    const v2 = await store.createVersion(id, { description: "second" });
    expect(v2).toMatchObject({ version: 2, text: "Second text" });
    await store.updateDraft(id, { name: "fllm-Claude", text: "Third text" });
    expect((await store.get(id, 2)).text).toBe("Second text");
    expect(await store.listVersions(id)).toMatchObject([
      { version: 1, description: "first" },
      { version: 2, description: "second" },
    ]);
  });

  it("a version made twice with the same client token is made once", async () => {
    const { id } = await store.create({ name: "fllm-twice", text: "Once", clientToken: token(10) });
    const [a, b] = await Promise.all([store.createVersion(id, { clientToken: token(11) }), store.createVersion(id, { clientToken: token(11) })]);
    expect(a.version).toBe(1);
    expect(b.version).toBe(1);
    expect(await store.listVersions(id)).toHaveLength(1);
  });

  it("unknown prompts and versions are not_found", async () => {
    expect((await refusal(store.get("ZZZZZZZZZZ"))).kind).toBe("not_found");
    const { id } = await store.create({ name: "fllm-none", text: "x", clientToken: token(12) });
    expect((await refusal(store.get(id, 3))).kind).toBe("not_found");
    expect((await refusal(store.createVersion("ZZZZZZZZZZ", {}))).kind).toBe("not_found");
  });

  it("finds prompts and lists versions across pages (Bedrock sends 10 a page)", async () => {
    for (let i = 0; i < 13; i++) await store.create({ name: `fllm-page-${i}`, text: `text ${i}`, clientToken: token(`p${i}`) });
    expect(await store.findByName("fllm-page-12")).toBeDefined();
    const { id } = (await store.findByName("fllm-page-3"))!;
    for (let i = 0; i < 12; i++) await store.createVersion(id, { description: `v${i + 1}` });
    const versions = await store.listVersions(id);
    expect(versions.map((v) => v.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });
});

describe("Bedrock prompt store: the wire and Bedrock's refusals", () => {
  let store: BedrockPromptStore;
  beforeAll(() => {
    store = new BedrockPromptStore({ region: "us-west-2" });
  });
  beforeEach(() => agent.emulator.reset());
  afterAll(() => store.close());

  it("speaks Prompt Management's REST paths, trailing slashes included, with 201 for creations", async () => {
    const { id } = await store.create({ name: "fllm-wire", text: "On {{TODAY}} at {{UTC_TIME}}, {{AI}} helps.", clientToken: token(20) });
    await store.get(id);
    await store.updateDraft(id, { name: "fllm-wire", text: "Changed on {{TODAY}}" });
    await store.createVersion(id, { description: "note" });
    await store.get(id, 1);
    await store.listVersions(id);
    expect(agent.emulator.requests.map((r) => `${r.operation} ${r.method} ${r.path} ${r.status}`)).toEqual([
      "CreatePrompt POST /prompts/ 201",
      "GetPrompt GET /prompts/" + id + "/ 200",
      "UpdatePrompt PUT /prompts/" + id + "/ 200",
      "CreatePromptVersion POST /prompts/" + id + "/versions 201",
      "GetPrompt GET /prompts/" + id + "/ 200",
      "ListPrompts GET /prompts/ 200",
    ]);
    expect(agent.emulator.requests[4]!.query).toEqual({ promptVersion: "1" });
    // One TEXT variant; the registry's placeholders are its input variables ({{AI}} is the user's own braces).
    expect(agent.emulator.requests[0]!.body).toMatchObject({
      name: "fllm-wire",
      defaultVariant: "default",
      variants: [{ name: "default", templateType: "TEXT", templateConfiguration: { text: { text: "On {{TODAY}} at {{UTC_TIME}}, {{AI}} helps.", inputVariables: [{ name: "TODAY" }, { name: "UTC_TIME" }] } } }],
      clientToken: token(20),
    });
  });

  it("says throttling, access denied, conflict and quota in plain words, with Bedrock's own", async () => {
    agent.emulator.fail("CreatePrompt", { type: "ThrottlingException", status: 429, message: "Too many requests, please wait before trying again." });
    const throttled = await refusal(store.create({ name: "fllm-a", text: "x", clientToken: token(21) }));
    expect(throttled.kind).toBe("throttled");
    expect(throttled.message).toMatch(/^Amazon Bedrock is throttling .* Bedrock said: Too many requests/);
    agent.emulator.fail("GetPrompt", { type: "AccessDeniedException", status: 403, message: "User: arn:aws:sts::123456789012:assumed-role/app is not authorized to perform: bedrock:GetPrompt" });
    const { id } = await store.create({ name: "fllm-a", text: "x", clientToken: token(21) });
    const denied = await refusal(store.get(id));
    expect(denied.kind).toBe("access_denied");
    expect(denied.message).toContain("bedrock:GetPrompt");
    expect((await refusal(store.create({ name: "fllm-a", text: "x", clientToken: token(22) }))).kind).toBe("conflict");
    agent.emulator.quotas.prompts = 1;
    const quota = await refusal(store.create({ name: "fllm-b", text: "x", clientToken: token(23) }));
    expect(quota.kind).toBe("quota");
    expect(agent.emulator.requests.at(-1)!.status).toBe(402);
  });

  it("the emulator refuses what Bedrock refuses: two variants, a default variant that names none, a text that is empty", async () => {
    const send = (body: unknown) => fetch(`${agent.emulator.url}/prompts/`, { method: "POST", headers: { "content-type": "application/json", authorization: "AWS4-HMAC-SHA256 Credential=test/20260101/us-west-2/bedrock/aws4_request, SignedHeaders=host, Signature=00" }, body: JSON.stringify(body) });
    const variant = (name: string, text: string) => ({ name, templateType: "TEXT", templateConfiguration: { text: { text } } });
    const two = await send({ name: "p", variants: [variant("a", "x"), variant("b", "y")] });
    expect(two.status).toBe(400);
    expect(two.headers.get("x-amzn-errortype")).toMatch(/^ValidationException:/);
    expect(((await two.json()) as { message: string }).message).toContain("Member must have length less than or equal to 1");
    expect((await send({ name: "p", defaultVariant: "b", variants: [variant("a", "x")] })).status).toBe(400);
    expect((await send({ name: "p", variants: [variant("a", "")] })).status).toBe(400);
    expect((await send({ name: "p", variants: [{ name: "a", templateType: "CHAT", templateConfiguration: { text: { text: "x" } } }] })).status).toBe(400);
    const unsigned = await fetch(`${agent.emulator.url}/prompts/`, { method: "POST", body: "{}" });
    expect(unsigned.status).toBe(403);
  });
});
