import { newId } from "../src/store/ids.js";
import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../src/store/db.js";
import { listThreadMessages } from "../src/store/messages.js";
import { getThread } from "../src/store/threads.js";
import { useBedrockEmulator } from "./helpers/bedrock-env.js";
import { withoutCachePoints } from "./helpers/cache-points.js";
import { readEvents, sleep, startChatServer, waitFor } from "./helpers/chat-server.js";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const env = useBedrockEmulator();

describe("shutdown (SIGTERM) loses nothing", () => {
  it("lets a short generation finish within the grace period, saves a long one as stopped, and ends open streams", async () => {
    const server = await startChatServer({ shutdownGraceMs: 400 });
    const thread = (await server.api("POST", "/api/threads", { profile: "Amazon Nova Pro" })).body.thread;
    const other = (await server.api("POST", "/api/threads", { profile: "Amazon Nova Lite" })).body.thread;
    env.emulator.enqueue(
      { blocks: [{ text: "long answer that will not finish in time at all" }], deltas: 40, delayMs: 50, modelId: "us.amazon.nova-pro-v1:0" },
    );
    const long = await server.api("POST", `/api/threads/${thread.id}/messages`, { text: "long" });
    env.emulator.enqueue({ blocks: [{ text: "short one" }], deltas: 3, delayMs: 50, modelId: "us.amazon.nova-lite-v1:0" });
    const short = await server.api("POST", `/api/threads/${other.id}/messages`, { text: "short", profile: "Amazon Nova Lite" });
    const stream = readEvents(`${server.url}/api/generations/${long.body.generationId}/events`);
    await sleep(150);
    await server.app.close();
    const { events } = await stream;
    expect(events.at(-1)).toMatchObject({ event: "done", data: { status: "stopped" } });
    const longMessages = await listThreadMessages(server.db, "local", thread.id);
    expect(longMessages[1]).toMatchObject({ status: "stopped" });
    expect((longMessages[1]!.parts[0] as { text: string }).text.length).toBeGreaterThan(0);
    const shortMessages = await listThreadMessages(server.db, "local", other.id);
    expect(shortMessages[1]).toMatchObject({ status: "complete", parts: [{ type: "text", text: "short one" }] });
    expect(short.status).toBe(202);
    await server.db.destroy();
    server.provider.clients.destroy();
  });

  it("saves generations left running by a crashed process as stopped at the next start", async () => {
    const dir = mkdtempSync(join(tmpdir(), "chat-data-"));
    const [T1, M1, M2, G1] = [newId(), newId(), newId(), newId()];
    const db = await openDatabase(dir);
    await db.insertInto("users").values({ id: "local", email: null, name: "Local user", role: "admin", created_at: new Date().toISOString() }).execute();
    await db.insertInto("threads").values({ id: T1, owner_id: "local", title: "x", profile: "Amazon Nova Pro", settings: "{}", active_leaf_id: M2, created_at: "2026-01-01T00:00:00.000Z", updated_at: "2026-01-01T00:00:00.000Z" }).execute();
    for (const [id, role, parts, status, parent] of [[M1, "user", [{ type: "text", text: "q" }], "complete", null], [M2, "assistant", [{ type: "text", text: "half" }], "streaming", M1]] as const) {
      await db.insertInto("messages").values({ id, owner_id: "local", thread_id: T1, parent_id: parent, role, parts: JSON.stringify(parts), status, profile: null, model_id: null, cost: null, error: null, meta: null, created_at: "2026-01-01T00:00:00.000Z", updated_at: "2026-01-01T00:00:00.000Z" }).execute();
    }
    await db.insertInto("generations").values({ id: G1, owner_id: "local", thread_id: T1, message_id: M2, status: "running", instance_id: "dead", started_at: "2026-01-01T00:00:00.000Z", finished_at: null }).execute();
    await db.destroy();

    const server = await startChatServer({ db: await openDatabase(dir) });
    try {
      const body = (await server.api("GET", `/api/threads/${T1}`)).body;
      expect(body.running).toBeNull();
      expect(body.messages[1]).toMatchObject({ status: "stopped", parts: [{ type: "text", text: "half" }] });
      const next = await server.api("POST", `/api/threads/${T1}/messages`, { text: "go on" });
      expect(next.status).toBe(202);
      await readEvents(`${server.url}/api/generations/${next.body.generationId}/events`);
      expect(withoutCachePoints(env.emulator.requests.at(-1)!.body)["messages"]).toEqual([
        { role: "user", content: [{ text: "q" }] },
        { role: "assistant", content: [{ text: "half" }] },
        { role: "user", content: [{ text: "go on" }] },
      ]);
    } finally {
      await server.close();
    }
  });
});

describe("titles", () => {
  it("asks the model for a title after the first answer, and counts its cost in the thread", async () => {
    const server = await startChatServer({ titleGeneration: "on" });
    try {
      env.emulator.enqueue({ blocks: [{ text: "Paris is the capital." }], usage: { inputTokens: 100, outputTokens: 10 } }, { blocks: [{ text: '"Capital of France."' }], usage: { inputTokens: 50, outputTokens: 5 } });
      const thread = (await server.api("POST", "/api/threads", { profile: "Claude 3.7 Sonnet" })).body.thread;
      const posted = await server.api("POST", `/api/threads/${thread.id}/messages`, { text: "What is the capital of France?" });
      const { events } = await readEvents(`${server.url}/api/generations/${posted.body.generationId}/events`);
      const doneAt = events.at(-1)!.at;
      const body = await waitFor(() => server.api("GET", `/api/threads/${thread.id}`).then((r) => r.body), (b) => b.thread.title !== "New chat");
      expect(body.thread.title).toBe("Capital of France");
      const [answer, title] = env.emulator.requests;
      expect(answer!.body["messages"]).toHaveLength(1);
      // The title call comes after the answer (never at the same time), without thinking, through Converse.
      expect(title!.operation).toBe("converse");
      expect(title!.body["additionalModelRequestFields"]).toBeUndefined();
      expect(Date.now()).toBeGreaterThanOrEqual(doneAt);
      // 0.003 per 1k in, 0.015 per 1k out: answer 0.00045, title 0.000225.
      expect(body.messages[1].cost).toBe("0.00045");
      expect(body.thread.extraCost).toBe("0.000225");
      expect(body.cost).toEqual({ total: "0.000675", complete: true });
    } finally {
      await server.close();
    }
  });

  it("uses the first words when title generation is off", async () => {
    const server = await startChatServer({ titleGeneration: "off" });
    try {
      const thread = (await server.api("POST", "/api/threads", {})).body.thread;
      const posted = await server.api("POST", `/api/threads/${thread.id}/messages`, { text: "Please explain how tides work on the coast of Brittany" });
      await readEvents(`${server.url}/api/generations/${posted.body.generationId}/events`);
      const body = await waitFor(() => server.api("GET", `/api/threads/${thread.id}`).then((r) => r.body), (b) => b.thread.title !== "New chat");
      expect(body.thread.title).toBe("Please explain how tides work on the coast");
      expect(env.emulator.requests).toHaveLength(1);
      expect((await getThread(server.db, "local", thread.id))!.extraCost).toBe("0");
    } finally {
      await server.close();
    }
  });
});

describe("a server-side failure never leaves a thread locked", () => {
  it("ends the generation, tells listeners, and accepts the next message when saving the answer fails", async () => {
    const server = await startChatServer();
    try {
      const thread = (await server.api("POST", "/api/threads", { profile: "Amazon Nova Pro" })).body.thread;
      env.emulator.enqueue({ blocks: [{ text: "slow answer" }], deltas: 4, delayMs: 100 });
      const posted = await server.api("POST", `/api/threads/${thread.id}/messages`, { text: "q" });
      // The event log disappears under the running answer: its saves fail.
      await sql`DROP TABLE generation_events`.execute(server.db);
      const { events } = await readEvents(`${server.url}/api/generations/${posted.body.generationId}/events`);
      expect(events.at(-1)!.event).toBe("done");
      const body = await waitFor(() => server.api("GET", `/api/threads/${thread.id}`).then((r) => r.body), (b) => b.running === null);
      expect(body.running).toBeNull();
      expect(server.app.generations.runningCount()).toBe(0);
      await sql`CREATE TABLE generation_events (generation_id text not null, first_seq integer not null, last_seq integer not null, payload text not null, primary key (generation_id, last_seq))`.execute(server.db);
      const next = await server.api("POST", `/api/threads/${thread.id}/messages`, { text: "again" });
      expect(next.status).toBe(202);
      await readEvents(`${server.url}/api/generations/${next.body.generationId}/events`);
    } finally {
      await server.close();
    }
  });
});
