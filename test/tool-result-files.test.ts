import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SecretBox } from "../src/secrets/secret-box.js";
import { LONG_RESULT_CHARS, PREVIEW_CHARS } from "../src/server/chat/tool-result-files.js";
import { startHardHttpServer, tinyPng, type HardHttpServer } from "./mcp/hard-server.js";
import { useBedrockEmulator } from "./helpers/bedrock-env.js";
import { readEvents, signIn, startChatServer, waitFor, type ChatServer, type Session } from "./helpers/chat-server.js";
import { databases } from "./helpers/databases.js";

const env = useBedrockEmulator();
let hard: HardHttpServer;
beforeAll(async () => {
  hard = await startHardHttpServer();
});
afterAll(async () => hard?.close());

type Json = Record<string, any>;

/** Tool results' images and long texts are kept like attachments: by reference in parts, events and listings. */
describe.each(databases)("tool result files on $name", (kind) => {
  if (!kind.available) {
    it.skip("PostgreSQL is not installed here (apt-get install postgresql)", () => undefined);
    return;
  }
  let server: ChatServer;
  let alice: Session;
  let bob: Session;

  beforeAll(async () => {
    server = await startChatServer({
      authMode: "local",
      database: await kind.location(),
      signInAttemptsPerIp: 1000,
      mcp: { keys: { available: true, box: new SecretBox(randomBytes(32)), source: "SECRET_KEY" }, allowPrivateNetworks: true },
    });
    await server.api("POST", "/auth/setup", { email: "alice@example.com", password: "alice long password", token: server.app.setupToken });
    alice = await signIn(server, "alice@example.com", "alice long password");
    await alice.api("POST", "/api/admin/users", { email: "bob@example.com", password: "bob's long password" });
    bob = await signIn(server, "bob@example.com", "bob's long password");
    const added = await alice.api("POST", "/api/mcp/servers", { name: "hard", url: hard.url });
    await alice.api("PATCH", `/api/mcp/servers/${added.body.server.id}`, { askBeforeRunning: false });
  });
  afterAll(async () => {
    if (!server) return;
    await waitFor(async () => server.app.generations.runningCount(), (n) => n === 0);
    await server.close();
  });

  it("stores a tool's image and its 100,000-character text once, sends them whole to the model, and shows references", async () => {
    const thread = (await alice.api("POST", "/api/threads", { profile: "Amazon Nova Pro" })).body.thread.id;
    env.emulator.enqueue(
      { blocks: [{ toolUse: { id: "tooluse_img", name: "hard__image", input: {} } }, { toolUse: { id: "tooluse_big", name: "hard__big-text", input: {} } }] },
      { blocks: [{ text: "A red square and a lot of text." }] },
    );
    const posted = await alice.api("POST", `/api/threads/${thread}/messages`, { text: "show me" });
    const { events } = await readEvents(`${server.url}/api/generations/${posted.body.generationId}/events`, { headers: { cookie: alice.cookie } });
    const results = new Map(events.filter((e) => e.event === "tool_result").map((e) => [e.data.toolUseId as string, e.data as Json]));
    // Live: ids and a preview, never the bytes.
    const image = results.get("tooluse_img")!.content.find((c: Json) => c.type === "image");
    expect(image).toMatchObject({ type: "image", format: "png", source: { type: "attachment" }, fileName: "image result.png" });
    const text = results.get("tooluse_big")!.content.find((c: Json) => c.source);
    expect(text.text.length).toBeLessThanOrEqual(PREVIEW_CHARS);
    expect(text.chars).toBeGreaterThan(LONG_RESULT_CHARS * 20);
    expect(JSON.stringify(events).length).toBeLessThan(20_000);

    // The model's next request got both whole.
    const request = env.emulator.requests.at(-1)!.body as Json;
    const blocks = (request["messages"].at(-1).content as Json[]).map((b) => b["toolResult"]);
    const sentImage = blocks[0].content.find((c: Json) => c.image).image;
    expect(Buffer.from(sentImage.source.bytes, "base64").equals(tinyPng())).toBe(true);
    const sentText = blocks[1].content.map((c: Json) => c.text ?? "").join("");
    expect(sentText.length).toBeGreaterThanOrEqual(text.chars);

    // After a reload: the same references, and the thread stays small.
    const detail = await alice.api("GET", `/api/threads/${thread}`);
    const stored = (detail.body.messages.at(-1).parts as Json[]).filter((p) => p.type === "toolResult");
    expect(stored.map((p) => p.content)).toEqual([results.get("tooluse_img")!.content, results.get("tooluse_big")!.content]);
    expect(JSON.stringify(detail.body).length).toBeLessThan(20_000);
    expect(detail.body.attachments.map((a: Json) => a.fileName).sort()).toEqual(["big-text result.txt", "image result.png"]);

    // Downloads: the owner's only.
    const png = await fetch(`${server.url}/api/attachments/${image.source.id}`, { headers: { cookie: alice.cookie } });
    expect(Buffer.from(await png.arrayBuffer()).equals(tinyPng())).toBe(true);
    const whole = await fetch(`${server.url}/api/attachments/${text.source.id}`, { headers: { cookie: alice.cookie } });
    expect((await whole.text()).length).toBe(text.chars);
    expect((await bob.api("GET", `/api/attachments/${text.source.id}`)).status).toBe(404);

    // The next turn sends them again from the store, whole.
    const next = await alice.api("POST", `/api/threads/${thread}/messages`, { text: "and again?" });
    await readEvents(`${server.url}/api/generations/${next.body.generationId}/events`, { headers: { cookie: alice.cookie } });
    expect(JSON.stringify(env.emulator.requests.at(-1)!.body).length).toBeGreaterThan(text.chars);

    // Deleting the chat deletes them.
    expect((await alice.api("DELETE", `/api/threads/${thread}`)).status).toBe(204);
    expect((await alice.api("GET", `/api/attachments/${image.source.id}`)).status).toBe(404);
  });
});
