import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SecretBox } from "../src/secrets/secret-box.js";
import { parseServersFile } from "../src/tools/servers-file.js";
import { EVERYTHING_BIN } from "./mcp/everything.js";
import { startHardHttpServer, type HardHttpServer } from "./mcp/hard-server.js";
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
const keys = () => ({ available: true as const, box: new SecretBox(randomBytes(32)), source: "SECRET_KEY" as const });

/** The admin's list (MCP_SERVERS_FILE) on a shared server: users switch listed servers on; only the file runs programs. */
describe.each(databases)("MCP_SERVERS_FILE on $name", (kind) => {
  if (!kind.available) {
    it.skip("PostgreSQL is not installed here (apt-get install postgresql)", () => undefined);
    return;
  }
  let server: ChatServer;
  let alice: Session;
  let bob: Session;

  beforeAll(async () => {
    const file = JSON.stringify({
      servers: [
        { name: "everything", description: "The MCP test server, as a program", command: process.execPath, args: [EVERYTHING_BIN, "stdio"], env: { SECRET_FOR_PROGRAM: { fromEnv: "PROGRAM_SECRET" } } },
        { name: "inside", description: "A server on the private network", url: hard.url, headersFromEnv: { Authorization: "INSIDE_AUTH" }, privateNetwork: true },
      ],
    });
    const listed = parseServersFile(file, "/etc/chat/mcp.json", { PROGRAM_SECRET: "pr0gram-secret", INSIDE_AUTH: "Bearer ins1de-token" });
    // A shared server that refuses private networks for the servers users add: the listed one marked private still connects.
    server = await startChatServer({ authMode: "local", database: await kind.location(), signInAttemptsPerIp: 1000, mcp: { keys: keys(), allowPrivateNetworks: false, listed } });
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

  it("lists the admin's servers without their secrets; a user switches one on for themselves; its tools answer", async () => {
    const catalog = await alice.api("GET", "/api/mcp/catalog");
    expect(catalog.body).toEqual({
      servers: [
        { name: "everything", description: "The MCP test server, as a program", transport: "stdio", where: `${process.execPath} ${EVERYTHING_BIN} stdio`, added: false },
        { name: "inside", description: "A server on the private network", transport: "http", where: hard.url, added: false },
      ],
      programsAllowed: false,
    });
    const added = await alice.api("POST", "/api/mcp/servers/listed", { name: "everything" });
    expect(added.status).toBe(201);
    expect(added.body.server).toMatchObject({ name: "everything", source: "listed", enabled: true, askBeforeRunning: true, headers: [] });
    expect((await alice.api("GET", "/api/mcp/catalog")).body.servers[0].added).toBe(true);
    expect((await alice.api("POST", "/api/mcp/servers/listed", { name: "everything" })).status).toBe(409);
    const tools = await alice.api("GET", `/api/mcp/servers/${added.body.server.id}/tools`);
    expect(tools.body.status).toBe("connected");
    expect(tools.body.tools.map((t: Json) => t.name)).toContain("echo");

    const thread = (await alice.api("POST", "/api/threads", { profile: "Amazon Nova Pro" })).body.thread.id;
    env.emulator.enqueue({ blocks: [{ toolUse: { id: "tooluse_listed", name: "everything__echo", input: { message: "from the list" } } }] });
    const posted = await alice.api("POST", `/api/threads/${thread}/messages`, { text: "echo" });
    const { events } = await readEvents(`${server.url}/api/generations/${posted.body.generationId}/events`, { headers: { cookie: alice.cookie } });
    expect(events.find((e) => e.event === "tool_result")!.data).toMatchObject({ status: "success", text: expect.stringContaining("from the list") });

    // Bob has not switched it on: no tools of it in his answers, and his list is his own.
    expect((await bob.api("GET", "/api/mcp/servers")).body.servers).toEqual([]);
    expect((await bob.api("GET", "/api/mcp/catalog")).body.servers.every((s: Json) => !s.added)).toBe(true);
    expect((await bob.api("DELETE", `/api/mcp/servers/${added.body.server.id}`)).status).toBe(404);
    const everything = JSON.stringify([catalog.body, added.body, tools.body, events]);
    expect(everything).not.toContain("pr0gram-secret");
    expect(everything).not.toContain("ins1de-token");
  });

  it("a listed server marked privateNetwork connects where a server added by URL may not", async () => {
    const inside = await alice.api("POST", "/api/mcp/servers/listed", { name: "inside" });
    expect((await alice.api("GET", `/api/mcp/servers/${inside.body.server.id}/tools`)).body.status).toBe("connected");
    const own = await alice.api("POST", "/api/mcp/servers", { name: "own", url: hard.url });
    const refused = await alice.api("GET", `/api/mcp/servers/${own.body.server.id}/tools`);
    expect(refused.body.status).toBe("error");
    expect(refused.body.error).toMatch(/private|loopback|not allowed/i);
    await alice.api("DELETE", `/api/mcp/servers/${own.body.server.id}`);
  });

  it("ordinary users cannot run programs; an unknown listed name is refused in words", async () => {
    const program = await bob.api("POST", "/api/mcp/servers/programs", { name: "mine", command: "node server.js" });
    expect(program.status).toBe(403);
    expect(program.body.error.message).toMatch(/only an administrator can offer them \(MCP_SERVERS_FILE\)/);
    const unknown = await bob.api("POST", "/api/mcp/servers/listed", { name: "nope" });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toMatch(/no server named "nope"/);
  });
});

describe("programs of one's own in AUTH_MODE=none", () => {
  let server: ChatServer;
  beforeAll(async () => {
    server = await startChatServer({ authMode: "none", mcp: { keys: keys() } });
  });
  afterAll(async () => {
    await waitFor(async () => server.app.generations.runningCount(), (n) => n === 0);
    await server.close();
  });

  it("adds a stdio program with its environment sealed; its tools answer; a bad command line is refused", async () => {
    const catalog = await server.api("GET", "/api/mcp/catalog");
    expect(catalog.body).toEqual({ servers: [], programsAllowed: true });
    const command = `"${process.execPath}" ${EVERYTHING_BIN} stdio`;
    const added = await server.api("POST", "/api/mcp/servers/programs", { name: "local", command, env: { API_TOKEN: "l0cal-token" } });
    expect(added.status).toBe(201);
    expect(added.body.server).toMatchObject({ name: "local", source: "stdio", url: command });
    const row = await server.db.selectFrom("mcp_servers").selectAll().where("id", "=", added.body.server.id).executeTakeFirstOrThrow();
    expect(row.stdio_encrypted).toMatch(/^v1:/);
    expect(row.stdio_encrypted).not.toContain("l0cal-token");
    expect(JSON.stringify(added.body)).not.toContain("l0cal-token");
    const tools = await server.api("GET", `/api/mcp/servers/${added.body.server.id}/tools`);
    expect(tools.body.status).toBe("connected");
    expect(tools.body.tools.map((t: Json) => t.name)).toContain("get-sum");

    const bad = await server.api("POST", "/api/mcp/servers/programs", { name: "bad", command: "node 'unclosed" });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/unbalanced quote/);
  });
});
