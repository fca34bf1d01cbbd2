import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SecretBox } from "../src/secrets/secret-box.js";
import { McpTools } from "../src/server/mcp.js";
import { startEverythingHttp, type EverythingHttp } from "./mcp/everything.js";
import { useBedrockEmulator } from "./helpers/bedrock-env.js";
import { readEvents, signIn, startChatServer, waitFor, type ChatServer, type Session } from "./helpers/chat-server.js";
import { databases } from "./helpers/databases.js";

const env = useBedrockEmulator();
let everything: EverythingHttp;
beforeAll(async () => {
  everything = await startEverythingHttp();
});
afterAll(async () => everything?.close());

/** Each user's MCP servers through the API, on each storage engine, with the real server-everything on 127.0.0.1. */
describe.each(databases)("MCP servers per user on $name", (kind) => {
  if (!kind.available) {
    it.skip("PostgreSQL is not installed here (apt-get install postgresql)", () => undefined);
    return;
  }
  let server: ChatServer;
  let alice: Session;
  let bob: Session;
  const box = new SecretBox(randomBytes(32));

  beforeAll(async () => {
    server = await startChatServer({
      authMode: "local",
      database: await kind.location(),
      signInAttemptsPerIp: 1000,
      mcp: { keys: { available: true, box, source: "SECRET_KEY" }, allowPrivateNetworks: true },
    });
    await server.api("POST", "/auth/setup", { email: "alice@example.com", password: "alice long password", token: server.app.setupToken });
    alice = await signIn(server, "alice@example.com", "alice long password");
    await alice.api("POST", "/api/admin/users", { email: "bob@example.com", password: "bob's long password" });
    bob = await signIn(server, "bob@example.com", "bob's long password");
  });
  afterAll(async () => {
    if (!server) return;
    await waitFor(async () => server.app.generations.runningCount(), (n) => n === 0);
    await server.close();
  });

  it("adds a server with headers sealed at rest and never sent back, lists its tools, and keeps it from other users", async () => {
    const added = await alice.api("POST", "/api/mcp/servers", { name: "everything", url: everything.url, headers: { Authorization: "Bearer top-secret-token" } });
    expect(added.status).toBe(201);
    expect(added.body.server).toMatchObject({ name: "everything", url: everything.url, enabled: true, askBeforeRunning: true, headers: ["Authorization"] });
    expect(JSON.stringify(added.body)).not.toContain("top-secret-token");
    const row = await server.db.selectFrom("mcp_servers").selectAll().where("id", "=", added.body.server.id).executeTakeFirstOrThrow();
    expect(row.headers_encrypted).toMatch(/^v1:/);
    expect(row.headers_encrypted).not.toContain("top-secret-token");
    const tools = await alice.api("GET", `/api/mcp/servers/${added.body.server.id}/tools`);
    expect(tools.body.status).toBe("connected");
    expect(tools.body.tools.map((t: { name: string }) => t.name)).toContain("echo");
    // Bob neither sees nor touches Alice's server.
    expect((await bob.api("GET", "/api/mcp/servers")).body.servers).toEqual([]);
    for (const [method, path, body] of [
      ["GET", `/api/mcp/servers/${added.body.server.id}/tools`, undefined],
      ["PATCH", `/api/mcp/servers/${added.body.server.id}`, { enabled: false }],
      ["DELETE", `/api/mcp/servers/${added.body.server.id}`, undefined],
    ] as const) {
      expect((await bob.api(method, path, body)).status, `${method} ${path}`).toBe(404);
    }
    expect((await alice.api("POST", "/api/mcp/servers", { name: "everything", url: everything.url })).status).toBe(409);
    expect((await alice.api("POST", "/api/mcp/servers", { name: "bad", url: "ftp://example.com/mcp" })).status).toBe(400);
  });

  it("offers the user's tools to a profile with tools: the model calls one, the MCP server answers, the answer continues", async () => {
    const thread = (await alice.api("POST", "/api/threads", { profile: "Amazon Nova Pro" })).body.thread.id;
    // The emulator sees the mapped name; the MCP server gets the original one.
    env.emulator.enqueue({ blocks: [{ toolUse: { id: "tooluse_1", name: "everything__echo", input: { message: "hello from the model" } } }] });
    const posted = await alice.api("POST", `/api/threads/${thread}/messages`, { text: "echo something" });
    const { events } = await readEvents(`${server.url}/api/generations/${posted.body.generationId}/events`, { headers: { cookie: alice.cookie } });
    const first = env.emulator.requests.at(-2)!.body as { toolConfig: { tools: { toolSpec: { name: string } }[] } };
    expect(first.toolConfig.tools.map((t) => t.toolSpec.name)).toContain("everything__echo");
    const result = events.find((e) => e.event === "tool_result")!;
    expect(result.data).toMatchObject({ toolUseId: "tooluse_1", status: "success", text: expect.stringContaining("hello from the model") });
    expect(events.at(-1)!.data).toMatchObject({ type: "done", status: "complete" });
    // A profile without tools gets no toolConfig.
    const plain = (await alice.api("POST", "/api/threads", { profile: "DeepSeek R1" })).body.thread.id;
    const second = await alice.api("POST", `/api/threads/${plain}/messages`, { text: "no tools here" });
    await readEvents(`${server.url}/api/generations/${second.body.generationId}/events`, { headers: { cookie: alice.cookie } });
    expect(env.emulator.requests.at(-1)!.body["toolConfig"]).toBeUndefined();
  });

  it("keeps a user's connections for the next answers and replaces them when the servers change", async () => {
    const mcp = new McpTools({ db: server.db, keys: { available: true, box, source: "SECRET_KEY" }, policy: { allowPrivate: true, allowMetadata: false } });
    try {
      const aliceId = (await alice.api("GET", "/api/session")).body.user.id as string;
      const first = (await mcp.forTurn(aliceId))!;
      await first.close();
      const second = (await mcp.forTurn(aliceId))!;
      expect(second.executor).toBe(first.executor);
      await second.close();
      const [row] = await server.db.selectFrom("mcp_servers").select("id").where("owner_id", "=", aliceId).execute();
      await server.db.updateTable("mcp_servers").set({ disabled_tools: JSON.stringify(["echo"]) }).where("id", "=", row!.id).execute();
      const third = (await mcp.forTurn(aliceId))!;
      expect(third.executor).not.toBe(first.executor);
      expect(third.executor.specs.map((t) => t.name)).not.toContain("everything__echo");
      await third.close();
      await server.db.updateTable("mcp_servers").set({ disabled_tools: "[]" }).where("id", "=", row!.id).execute();
    } finally {
      await mcp.closeAll();
    }
  });

  it("a server that cannot be reached gives no tools and a notice; the answer still comes", async () => {
    const gone = await bob.api("POST", "/api/mcp/servers", { name: "gone", url: "http://127.0.0.1:9/mcp" });
    expect(gone.status).toBe(201);
    const thread = (await bob.api("POST", "/api/threads", { profile: "Amazon Nova Pro" })).body.thread.id;
    const posted = await bob.api("POST", `/api/threads/${thread}/messages`, { text: "hi" });
    const { events } = await readEvents(`${server.url}/api/generations/${posted.body.generationId}/events`, { headers: { cookie: bob.cookie }, timeoutMs: 30_000 });
    expect(events.filter((e) => e.event === "notice").map((e) => e.data.message).join("\n")).toMatch(/server gone/);
    expect(events.at(-1)!.data).toMatchObject({ type: "done", status: "complete" });
  });
});
