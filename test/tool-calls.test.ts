import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ToolResultPart, ToolUsePart } from "../src/engine/types.js";
import { SecretBox } from "../src/secrets/secret-box.js";
import type { ToolCallsByTool, UsageReport } from "../src/shared/accounts.js";
import { mapToolNames } from "../src/tools/names.js";
import { useBedrockEmulator } from "./helpers/bedrock-env.js";
import { readEvents, signIn, startChatServer, waitFor, type ChatServer, type Session } from "./helpers/chat-server.js";
import { databases } from "./helpers/databases.js";
import { AWKWARD_NAME, startHardHttpServer, type HardHttpServer } from "./mcp/hard-server.js";

/**
 * Tool calls through the server, on each storage engine: the real MCP names and each call's duration on the step
 * (live and after a reload alike), one `tool_calls` row per call written with the answer, and the admin usage
 * figures built from them. Our hard-case MCP server over Streamable HTTP on 127.0.0.1; the Bedrock emulator.
 */

const env = useBedrockEmulator();
const CALL_TIMEOUT_MS = 500;
let hard: HardHttpServer;
beforeAll(async () => {
  hard = await startHardHttpServer();
});
afterAll(async () => hard?.close());

/** The name the model sees for the awkward tool: too long for Bedrock, so shortened with a hash. */
const AWKWARD = mapToolNames([{ server: "hard", tool: AWKWARD_NAME }]).toBedrock("hard", AWKWARD_NAME)!;

describe.each(databases)("tool calls on $name", (kind) => {
  if (!kind.available) {
    it.skip("PostgreSQL is not installed here (apt-get install postgresql)", () => undefined);
    return;
  }
  let server: ChatServer;
  let alice: Session;
  let bob: Session;
  let aliceId: string;
  let bobId: string;

  /** Adds the hard-case server for a user, running its tools without asking. */
  async function addHardServer(session: Session) {
    const added = await session.api("POST", "/api/mcp/servers", { name: "hard", url: hard.url });
    expect(added.status).toBe(201);
    expect((await session.api("PATCH", `/api/mcp/servers/${added.body.server.id}`, { askBeforeRunning: false })).status).toBe(200);
  }

  /** One answer whose model asks for `uses` in one round, read live to its end. */
  async function answerWithTools(session: Session, uses: { id: string; name: string; input: unknown }[]) {
    const thread = (await session.api("POST", "/api/threads", { profile: "Amazon Nova Pro" })).body.thread.id as string;
    env.emulator.enqueue({ blocks: uses.map((toolUse) => ({ toolUse })), stopReason: "tool_use" });
    const posted = await session.api("POST", `/api/threads/${thread}/messages`, { text: "use the tools" });
    expect(posted.status).toBe(202);
    const { events } = await readEvents(`${server.url}/api/generations/${posted.body.generationId}/events`, { headers: { cookie: session.cookie }, timeoutMs: 20_000 });
    expect(events.at(-1)!.data).toMatchObject({ type: "done", status: "complete" });
    return { thread, generationId: posted.body.generationId as string, messageId: posted.body.assistantMessageId as string, events };
  }

  beforeAll(async () => {
    server = await startChatServer({
      authMode: "local",
      database: await kind.location(),
      signInAttemptsPerIp: 1000,
      mcp: { keys: { available: true, box: new SecretBox(randomBytes(32)), source: "SECRET_KEY" }, allowPrivateNetworks: true, callTimeoutMs: CALL_TIMEOUT_MS },
    });
    await server.api("POST", "/auth/setup", { email: "alice@example.com", password: "alice long password", token: server.app.setupToken });
    alice = await signIn(server, "alice@example.com", "alice long password");
    await alice.api("POST", "/api/admin/users", { email: "bob@example.com", password: "bob's long password" });
    bob = await signIn(server, "bob@example.com", "bob's long password");
    aliceId = (await alice.api("GET", "/api/session")).body.user.id;
    bobId = (await bob.api("GET", "/api/session")).body.user.id;
    await addHardServer(alice);
    await addHardServer(bob);
  });
  afterAll(async () => {
    if (!server) return;
    await waitFor(async () => server.app.generations.runningCount(), (n) => n === 0);
    await server.close();
  });

  let first: Awaited<ReturnType<typeof answerWithTools>>;

  it("each step carries the real MCP names (the hashed name too) and its duration, live and after a reload alike", async () => {
    expect(AWKWARD).toMatch(/_[0-9a-f]{8}$/);
    first = await answerWithTools(alice, [
      { id: "t_add", name: "hard__add", input: { a: 2, b: 3 } },
      { id: "t_awk", name: AWKWARD, input: { city: "Lima" } },
      { id: "t_slow", name: "hard__slow", input: { ms: 200, label: "nap" } },
      { id: "t_fail", name: "hard__fail", input: {} },
      { id: "t_hang", name: "hard__hang", input: {} },
    ]);
    const live = first.events;
    const uses = live.filter((e) => e.event === "tool_use").map((e) => e.data);
    expect(uses.map((u) => [u.id, u.name, u.server, u.tool])).toEqual([
      ["t_add", "hard__add", "hard", "add"],
      ["t_awk", AWKWARD, "hard", AWKWARD_NAME],
      ["t_slow", "hard__slow", "hard", "slow"],
      ["t_fail", "hard__fail", "hard", "fail"],
      ["t_hang", "hard__hang", "hard", "hang"],
    ]);
    const results = new Map(live.filter((e) => e.event === "tool_result").map((e) => [e.data.toolUseId as string, e.data]));
    expect([...results.values()].map((r) => [r.toolUseId, r.status])).toEqual(
      expect.arrayContaining([["t_add", "success"], ["t_awk", "success"], ["t_slow", "success"], ["t_fail", "error"], ["t_hang", "error"]]),
    );
    expect(results.get("t_slow")!.durationMs).toBeGreaterThanOrEqual(195);
    expect(results.get("t_slow")!.durationMs).toBeLessThan(5000);
    // The timed-out call took the timeout, not less.
    expect(results.get("t_hang")!.durationMs).toBeGreaterThanOrEqual(CALL_TIMEOUT_MS - 5);
    expect(results.get("t_hang")!.text).toMatch(/did not answer within|timed out|time/i);
    for (const r of results.values()) expect(r.durationMs).toEqual(expect.any(Number));

    // After a reload: the stored parts have the same names and durations as the live events.
    const detail = (await alice.api("GET", `/api/threads/${first.thread}`)).body;
    const answer = detail.messages.find((m: { id: string }) => m.id === first.messageId);
    const storedUses = answer.parts.filter((p: { type: string }) => p.type === "toolUse") as ToolUsePart[];
    expect(storedUses.map((p) => ({ id: p.id, name: p.name, input: p.input, server: p.server, tool: p.tool }))).toEqual(uses.map(({ type: _type, ...u }) => u));
    const storedResults = answer.parts.filter((p: { type: string }) => p.type === "toolResult") as ToolResultPart[];
    expect(storedResults.map((p) => [p.toolUseId, p.status, p.durationMs])).toEqual(expect.arrayContaining([...results.values()].map((r) => [r.toolUseId, r.status, r.durationMs])));

    // The model never got the display fields: not in the request that carried the tool round.
    const followUp = env.emulator.requests.at(-1)!.body as { messages: { content: Record<string, Record<string, unknown>>[] }[] };
    const blocks = followUp.messages.flatMap((m) => m.content);
    expect(blocks.filter((b) => b["toolUse"]).map((b) => Object.keys(b["toolUse"]!).sort())).toEqual(Array(5).fill(["input", "name", "toolUseId"]));
    expect(blocks.filter((b) => b["toolResult"]).map((b) => Object.keys(b["toolResult"]!).sort())).toEqual(Array(5).fill(["content", "status", "toolUseId"]));
  });

  it("records each call in tool_calls with the answer: who, where, which tool, how long, and whether it failed (timeouts too)", async () => {
    const rows = await server.db.selectFrom("tool_calls").selectAll().where("message_id", "=", first.messageId).execute();
    expect(rows).toHaveLength(5);
    for (const row of rows) {
      expect(row).toMatchObject({ user_id: aliceId, thread_id: first.thread, message_id: first.messageId, generation_id: first.generationId, server: "hard" });
      expect(row.duration_ms).toEqual(expect.any(Number));
      expect(Date.now() - Date.parse(row.created_at)).toBeLessThan(60_000);
    }
    const byTool = new Map(rows.map((r) => [r.tool, r]));
    expect([...byTool.keys()].sort()).toEqual([AWKWARD_NAME, "add", "fail", "hang", "slow"].sort());
    expect(["add", AWKWARD_NAME, "slow"].map((t) => byTool.get(t)!.status)).toEqual(["success", "success", "success"]);
    expect(byTool.get("fail")!.status).toBe("error");
    expect(byTool.get("hang")!.status).toBe("error");
    expect(byTool.get("hang")!.duration_ms).toBeGreaterThanOrEqual(CALL_TIMEOUT_MS - 5);
    expect(byTool.get("slow")!.duration_ms).toBeGreaterThanOrEqual(195);
    // An answer without tool calls adds no row.
    const before = (await server.db.selectFrom("tool_calls").select("id").execute()).length;
    const thread = (await alice.api("POST", "/api/threads", { profile: "Amazon Nova Pro" })).body.thread.id;
    const posted = await alice.api("POST", `/api/threads/${thread}/messages`, { text: "just talk" });
    await readEvents(`${server.url}/api/generations/${posted.body.generationId}/events`, { headers: { cookie: alice.cookie } });
    expect((await server.db.selectFrom("tool_calls").select("id").execute()).length).toBe(before);
  });

  it("the admin usage API gives tool calls per user and per tool for the period; other users get 403", async () => {
    await answerWithTools(bob, [
      { id: "b_add", name: "hard__add", input: { a: 1, b: 1 } },
      { id: "b_slow", name: "hard__slow", input: { ms: 100, label: "short" } },
    ]);
    const res = await alice.api<UsageReport>("GET", "/api/admin/usage?days=1");
    expect(res.status).toBe(200);
    const { byUser, byTool } = res.body.toolCalls;
    const rows = await server.db.selectFrom("tool_calls").selectAll().execute();
    const total = (user: string) => rows.filter((r) => r.user_id === user).reduce((n, r) => n + (r.duration_ms ?? 0), 0);
    expect(byUser).toEqual([
      { userId: aliceId, email: "alice@example.com", calls: 5, errors: 2, totalMs: total(aliceId) },
      { userId: bobId, email: "bob@example.com", calls: 2, errors: 0, totalMs: total(bobId) },
    ]);
    const tool = (name: string) => byTool.find((t) => t.server === "hard" && t.tool === name)!;
    // Most calls first, then by server and tool.
    expect(byTool.map((t) => [t.server, t.tool, t.calls, t.errors])).toEqual([
      ["hard", "add", 2, 0],
      ["hard", "slow", 2, 0],
      ["hard", "fail", 1, 1],
      ["hard", "hang", 1, 1],
      ["hard", AWKWARD_NAME, 1, 0],
    ]);
    // Two slow calls (200 and 100 ms): the median is their mean, as is the average.
    const slow = rows.filter((r) => r.tool === "slow").map((r) => r.duration_ms!);
    const mean = Math.round((slow[0]! + slow[1]!) / 2);
    expect(tool("slow")).toEqual<ToolCallsByTool>({ server: "hard", tool: "slow", calls: 2, errors: 0, p50Ms: mean, avgMs: mean });
    expect(tool("hang").p50Ms).toBeGreaterThanOrEqual(CALL_TIMEOUT_MS - 5);
    // The period starts at midnight UTC of the first day: nothing before it counts.
    const old = rows[0]!;
    await server.db.updateTable("tool_calls").set({ created_at: "2000-01-01T00:00:00.000Z" }).where("id", "=", old.id).execute();
    const later = (await alice.api<UsageReport>("GET", "/api/admin/usage?days=1")).body.toolCalls;
    expect(later.byUser.reduce((n, u) => n + u.calls, 0)).toBe(6);
    await server.db.updateTable("tool_calls").set({ created_at: old.created_at }).where("id", "=", old.id).execute();

    const refused = await bob.api("GET", "/api/admin/usage?days=1");
    expect(refused.status).toBe(403);
    expect(JSON.stringify(refused.body)).not.toContain("toolCalls");
  });

  it("deleting a thread keeps its tool calls, as it keeps its usage records (the period's figures do not change)", async () => {
    const before = await server.db.selectFrom("usage_records").select("id").where("thread_id", "=", first.thread).execute();
    expect(before.length).toBeGreaterThan(0);
    expect((await alice.api("DELETE", `/api/threads/${first.thread}`)).status).toBe(204);
    expect(await server.db.selectFrom("usage_records").select("id").where("thread_id", "=", first.thread).execute()).toHaveLength(before.length);
    expect(await server.db.selectFrom("tool_calls").select("id").where("thread_id", "=", first.thread).execute()).toHaveLength(5);
  });
});
