import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SecretBox } from "../src/secrets/secret-box.js";
import { startEverythingHttp, type EverythingHttp } from "./mcp/everything.js";
import { startHardHttpServer, type HardHttpServer } from "./mcp/hard-server.js";
import { useBedrockEmulator } from "./helpers/bedrock-env.js";
import { readEvents, signIn, sleep, startChatServer, waitFor, type ChatServer, type Session, type SseEvent } from "./helpers/chat-server.js";
import { databases } from "./helpers/databases.js";

const env = useBedrockEmulator();
let everything: EverythingHttp;
let hard: HardHttpServer;
beforeAll(async () => {
  [everything, hard] = await Promise.all([startEverythingHttp(), startHardHttpServer()]);
});
afterAll(async () => Promise.all([everything?.close(), hard?.close()]));

/** Permission before a tool runs, in the web chat's API: the call waits at its step until Allow, Always allow, Deny or Stop. */
describe.each(databases)("tool permission prompts on $name", (kind) => {
  if (!kind.available) {
    it.skip("PostgreSQL is not installed here (apt-get install postgresql)", () => undefined);
    return;
  }
  let server: ChatServer;
  let alice: Session;
  let bob: Session;
  let hardId: string;
  let everythingId: string;
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
    hardId = (await alice.api("POST", "/api/mcp/servers", { name: "hard", url: hard.url })).body.server.id;
    everythingId = (await alice.api("POST", "/api/mcp/servers", { name: "everything", url: everything.url })).body.server.id;
  });
  afterAll(async () => {
    if (!server) return;
    await waitFor(async () => server.app.generations.runningCount(), (n) => n === 0);
    await server.close();
  });

  const eventsUrl = (generationId: string) => `${server.url}/api/generations/${generationId}/events`;
  /** The events so far (a listener that reads for a moment, then leaves, as a reloaded page does). */
  const eventsNow = async (generationId: string) => (await readEvents(eventsUrl(generationId), { headers: { cookie: alice.cookie }, timeoutMs: 300 })).events;
  const waitForApproval = (generationId: string, count = 1) => waitFor(() => eventsNow(generationId), (events) => events.filter((e) => e.event === "tool_approval").length >= count);
  const untilDone = async (generationId: string) => (await readEvents(eventsUrl(generationId), { headers: { cookie: alice.cookie }, timeoutMs: 20_000 })).events;
  const ofType = (events: SseEvent[], type: string) => events.filter((e) => e.event === type).map((e) => e.data);

  /** Asks a question whose answer calls `tools` (Bedrock names, one round), then answers in text. */
  async function askWithTools(tools: { name: string; input: unknown }[]): Promise<{ threadId: string; generationId: string; ids: string[] }> {
    const threadId = (await alice.api("POST", "/api/threads", { profile: "Amazon Nova Pro" })).body.thread.id;
    const ids = tools.map((_, i) => `tooluse_${Date.now()}_${i}`);
    env.emulator.enqueue({ blocks: tools.map((t, i) => ({ toolUse: { id: ids[i]!, name: t.name, input: t.input } })) }, { blocks: [{ text: "Here is what the tools said." }] });
    const posted = await alice.api("POST", `/api/threads/${threadId}/messages`, { text: "use the tools" });
    expect(posted.status).toBe(202);
    return { threadId, generationId: posted.body.generationId, ids };
  }
  const decide = (session: Session, generationId: string, toolUseId: string, decision: string) => session.api("POST", `/api/generations/${generationId}/tool-approvals`, { toolUseId, decision });

  it("a call waits at its step, also across a reload, and runs only once allowed", async () => {
    const before = hard.log.calls.length;
    const { threadId, generationId, ids } = await askWithTools([{ name: "hard__add", input: { a: 2, b: 3 } }]);
    const waiting = await waitForApproval(generationId);
    expect(ofType(waiting, "tool_approval")).toEqual([{ type: "tool_approval", toolUseId: ids[0], server: "hard", tool: "add" }]);
    expect(hard.log.calls.length).toBe(before);
    // A reload: the thread says an answer is running, and its events still end with the call waiting.
    const detail = await alice.api("GET", `/api/threads/${threadId}`);
    expect(detail.body.running).toMatchObject({ generationId });
    const again = await eventsNow(generationId);
    expect(ofType(again, "tool_approval")).toHaveLength(1);
    expect(ofType(again, "tool_approval_end")).toHaveLength(0);
    expect(ofType(again, "done")).toHaveLength(0);
    // Nobody else decides; a call that is not waiting is refused in words.
    expect((await decide(bob, generationId, ids[0]!, "allow")).status).toBe(404);
    const wrong = await decide(alice, generationId, "tooluse_unknown", "allow");
    expect(wrong.status).toBe(409);
    expect(wrong.body.error.message).toMatch(/not waiting for permission/);
    expect((await alice.api("POST", `/api/generations/${generationId}/tool-approvals`, { toolUseId: ids[0], decision: "maybe" })).status).toBe(400);

    // The wait is the user's, not the tool's: the step's duration starts when the tool does.
    await sleep(400);
    expect((await decide(alice, generationId, ids[0]!, "allow")).status).toBe(202);
    const events = await untilDone(generationId);
    expect(ofType(events, "tool_result")[0].durationMs).toBeLessThan(300);
    expect(ofType(events, "tool_approval_end")).toEqual([{ type: "tool_approval_end", toolUseId: ids[0], decision: "allow" }]);
    expect(ofType(events, "tool_result")[0]).toMatchObject({ toolUseId: ids[0], status: "success", text: expect.stringContaining("5") });
    expect(ofType(events, "done")[0]).toMatchObject({ status: "complete" });
    expect(hard.log.calls.slice(before)).toEqual([{ name: "add", args: { a: 2, b: 3 } }]);
    expect((await decide(alice, generationId, ids[0]!, "allow")).status).toBe(409);
  });

  it("Deny: the tool does not run and the model is told the user declined", async () => {
    const before = hard.log.calls.length;
    const { generationId, ids } = await askWithTools([{ name: "hard__add", input: { a: 1, b: 1 } }]);
    await waitForApproval(generationId);
    expect((await decide(alice, generationId, ids[0]!, "deny")).status).toBe(202);
    const events = await untilDone(generationId);
    const declined = ofType(events, "tool_result")[0];
    expect(declined).toMatchObject({ status: "error", notRun: "declined", text: expect.stringMatching(/user declined to run the tool add/) });
    expect(declined.durationMs).toBeUndefined();
    // Not a call that ran: the admin figures do not count it.
    const answerId = ofType(events, "done")[0].messageId;
    expect(await server.db.selectFrom("tool_calls").selectAll().where("message_id", "=", answerId).execute()).toEqual([]);
    expect(hard.log.calls.length).toBe(before);
    const sent = JSON.stringify(env.emulator.requests.at(-1)!.body);
    expect(sent).toContain("user declined to run the tool add");
    expect(ofType(events, "done")[0]).toMatchObject({ status: "complete" });
  });

  it("Always allow is remembered for that tool: it and its parallel twin run, and the next answer does not ask", async () => {
    const { generationId, ids } = await askWithTools([
      { name: "hard__add", input: { a: 10, b: 1 } },
      { name: "hard__add", input: { a: 10, b: 2 } },
    ]);
    await waitForApproval(generationId, 2);
    expect((await decide(alice, generationId, ids[0]!, "always")).status).toBe(202);
    const events = await untilDone(generationId);
    expect(ofType(events, "tool_approval_end").map((e) => e.decision).sort()).toEqual(["allow", "always"]);
    expect(ofType(events, "tool_result").map((e) => e.status)).toEqual(["success", "success"]);
    const row = await server.db.selectFrom("tool_permissions").selectAll().where("server_id", "=", hardId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ tool: "add", permission: "allow" });
    expect((await alice.api("GET", "/api/mcp/tool-permissions")).body.permissions).toEqual([{ serverId: hardId, tool: "add", permission: "allow" }]);

    const next = await askWithTools([{ name: "hard__add", input: { a: 1, b: 2 } }]);
    const nextEvents = await untilDone(next.generationId);
    expect(ofType(nextEvents, "tool_approval")).toEqual([]);
    expect(ofType(nextEvents, "tool_result")[0]).toMatchObject({ status: "success" });
    // Back to the server's rule.
    expect((await alice.api("PUT", `/api/mcp/servers/${hardId}/tool-permissions`, { tool: "add", permission: null })).status).toBe(204);
  });

  it("a read-only tool runs without asking unless asked to; a server with asking off never asks", async () => {
    // server-everything's echo declares readOnlyHint.
    const quiet = await askWithTools([{ name: "everything__echo", input: { message: "hi" } }]);
    expect(ofType(await untilDone(quiet.generationId), "tool_approval")).toEqual([]);
    expect((await alice.api("PUT", `/api/mcp/servers/${everythingId}/tool-permissions`, { tool: "echo", permission: "ask" })).status).toBe(204);
    const asked = await askWithTools([{ name: "everything__echo", input: { message: "hi" } }]);
    await waitForApproval(asked.generationId);
    await decide(alice, asked.generationId, asked.ids[0]!, "allow");
    expect(ofType(await untilDone(asked.generationId), "tool_result")[0]).toMatchObject({ status: "success" });
    await alice.api("PUT", `/api/mcp/servers/${everythingId}/tool-permissions`, { tool: "echo", permission: null });

    expect((await alice.api("PATCH", `/api/mcp/servers/${hardId}`, { askBeforeRunning: false })).status).toBe(200);
    const off = await askWithTools([{ name: "hard__add", input: { a: 4, b: 4 } }]);
    const offEvents = await untilDone(off.generationId);
    expect(ofType(offEvents, "tool_approval")).toEqual([]);
    expect(ofType(offEvents, "tool_result")[0]).toMatchObject({ status: "success" });
    await alice.api("PATCH", `/api/mcp/servers/${hardId}`, { askBeforeRunning: true });
  });

  it("Stop while a call waits ends the answer as stopped; the step is kept and the tool never ran", async () => {
    const before = hard.log.calls.length;
    const { threadId, generationId, ids } = await askWithTools([{ name: "hard__add", input: { a: 7, b: 7 } }]);
    await waitForApproval(generationId);
    expect((await alice.api("POST", `/api/generations/${generationId}/stop`)).status).toBe(202);
    const events = await untilDone(generationId);
    expect(ofType(events, "done")[0]).toMatchObject({ status: "stopped" });
    expect(hard.log.calls.length).toBe(before);
    const detail = await alice.api("GET", `/api/threads/${threadId}`);
    const answer = detail.body.messages.at(-1);
    expect(answer.status).toBe("stopped");
    expect(answer.parts.find((p: { type: string }) => p.type === "toolUse")).toMatchObject({ id: ids[0] });
    expect((await decide(alice, generationId, ids[0]!, "allow")).status).toBe(409);
  });

  it("per-tool permissions are the owner's: another user's server is 404 and lists nothing", async () => {
    expect((await bob.api("PUT", `/api/mcp/servers/${hardId}/tool-permissions`, { tool: "add", permission: "allow" })).status).toBe(404);
    expect((await bob.api("GET", "/api/mcp/tool-permissions")).body.permissions).toEqual([]);
    expect((await alice.api("PUT", `/api/mcp/servers/${hardId}/tool-permissions`, { tool: "add", permission: "sometimes" })).status).toBe(400);
  });
});
