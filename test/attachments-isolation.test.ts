import { createHash } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { storageUsed } from "../src/store/attachments.js";
import * as files from "./fixtures/files.js";
import { useBedrockEmulator } from "./helpers/bedrock-env.js";
import { readEvents, signIn, startChatServer, waitFor, type ChatServer, type Session } from "./helpers/chat-server.js";
import { databases } from "./helpers/databases.js";

const env = useBedrockEmulator();
const PROFILE = "Amazon Nova Pro";

/**
 * Attachments per user: another user's attachment id is 404 wherever it is used (download, message post, a thread
 * it does not belong to) and is never linked to anything of theirs; blobs and quota are per owner. On both engines.
 */
describe.each(databases)("attachment isolation on $name", (kind) => {
  if (!kind.available) {
    it.skip("PostgreSQL is not installed here (apt-get install postgresql)", () => undefined);
    return;
  }
  let server: ChatServer;
  let alice: Session & { id: string };
  let bob: Session & { id: string };

  beforeAll(async () => {
    server = await startChatServer({ authMode: "local", database: await kind.location(), signInAttemptsPerIp: 1000, attachments: { uploadsPerMinute: 1000 } });
    await server.api("POST", "/auth/setup", { email: "alice@example.com", password: "alice long password", token: server.app.setupToken });
    const aliceSession = await signIn(server, "alice@example.com", "alice long password");
    await aliceSession.api("POST", "/api/admin/users", { email: "bob@example.com", password: "bob's long password" });
    const bobSession = await signIn(server, "bob@example.com", "bob's long password");
    const idOf = async (email: string) => (await server.db.selectFrom("users").select("id").where("email", "=", email).executeTakeFirstOrThrow()).id;
    alice = { ...aliceSession, id: await idOf("alice@example.com") };
    bob = { ...bobSession, id: await idOf("bob@example.com") };
  });
  afterAll(async () => server?.close());
  afterEach(async () => waitFor(async () => server.app.generations.runningCount(), (n) => n === 0));

  async function upload(who: Session, name: string, bytes: Uint8Array): Promise<{ id: string; url: string }> {
    const form = new FormData();
    form.append("file", new Blob([new Uint8Array(bytes)]), name);
    const res = await fetch(`${server.url}/api/attachments`, { method: "POST", body: form, headers: { origin: server.url, "x-requested-with": "fetch", cookie: who.cookie } });
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(201);
    return body.attachment;
  }
  const download = (who: Session, url: string) => fetch(server.url + url, { headers: { cookie: who.cookie } });
  const newThread = async (who: Session) => (await who.api("POST", "/api/threads", { profile: PROFILE })).body.thread.id as string;
  async function send(who: Session, threadId: string, text: string, attachments: string[], extra: Record<string, unknown> = {}) {
    const res = await who.api("POST", `/api/threads/${threadId}/messages`, { text, attachments, ...extra });
    if (res.status === 202) await readEvents(`${server.url}/api/generations/${res.body.generationId}/events`, { headers: { cookie: who.cookie } });
    return res;
  }
  const row = (id: string) => server.db.selectFrom("attachments").select(["owner_id", "blob_id", "thread_id", "message_id"]).where("id", "=", id).executeTakeFirstOrThrow();
  const messagesOf = async (who: Session, threadId: string) => (await who.api("GET", `/api/threads/${threadId}/messages`)).body.messages as unknown[];
  const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

  it("another user's attachment id is 404 on download, pending or sent, and the owner still gets it", async () => {
    const bytes = files.pdf("Alice private download");
    const pending = await upload(alice, "private.pdf", bytes);
    const sent = await upload(alice, "sent.pdf", files.pdf("Alice sent download"));
    await send(alice, await newThread(alice), "read", [sent.id]);
    for (const attachment of [pending, sent]) {
      const res = await download(bob, attachment.url);
      expect(res.status).toBe(404);
      expect((await res.json()).error.code).toBe("not_found");
    }
    const own = await download(alice, pending.url);
    expect(own.status).toBe(200);
    expect(sha256(new Uint8Array(await own.arrayBuffer()))).toBe(sha256(bytes));
  });

  it("another user's attachment id posted in a message is 404, stores nothing, sends nothing, and is never linked to their thread", async () => {
    const pending = await upload(alice, "plans.pdf", files.pdf("Alice pending plans"));
    const sent = await upload(alice, "sent plans.pdf", files.pdf("Alice sent plans"));
    const aliceThread = await newThread(alice);
    await send(alice, aliceThread, "mine", [sent.id]);
    const bobThread = await newThread(bob);
    const requests = env.emulator.requests.length;
    for (const id of [pending.id, sent.id]) {
      const res = await send(bob, bobThread, "is this mine?", [id]);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe("not_found");
      // Among his own files too: the whole message is refused.
      const own = await upload(bob, "bob.txt", files.txt());
      expect((await send(bob, bobThread, "with mine", [own.id, id])).status).toBe(404);
    }
    expect(env.emulator.requests.length).toBe(requests);
    expect(await messagesOf(bob, bobThread)).toEqual([]);
    expect((await bob.api("GET", `/api/threads/${bobThread}`)).body.attachments).toEqual([]);
    expect(await row(pending.id)).toMatchObject({ owner_id: alice.id, thread_id: null, message_id: null });
    expect(await row(sent.id)).toMatchObject({ owner_id: alice.id, thread_id: aliceThread });
    // Bob's own upload into Alice's thread: the thread is not his (404), his file stays unsent.
    const bobFile = await upload(bob, "bob.csv", files.csv());
    expect((await send(bob, aliceThread, "into yours", [bobFile.id])).status).toBe(404);
    expect(await row(bobFile.id)).toMatchObject({ owner_id: bob.id, thread_id: null, message_id: null });
    expect((await alice.api("GET", `/api/threads/${aliceThread}`)).body.attachments.map((a: { id: string }) => a.id)).toEqual([sent.id]);
    // Alice can still send her pending file.
    expect((await send(alice, aliceThread, "now", [pending.id])).status).toBe(202);
  });

  it("an attachment sent in Alice's thread A cannot be posted into her thread B (404); in A again it can (an edit keeps its files)", async () => {
    const report = await upload(alice, "a.pdf", files.pdf("Thread A only"));
    const threadA = await newThread(alice);
    expect((await send(alice, threadA, "in A", [report.id])).status).toBe(202);
    const linked = await row(report.id);
    const threadB = await newThread(alice);
    const res = await send(alice, threadB, "in B", [report.id]);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("not_found");
    expect(await messagesOf(alice, threadB)).toEqual([]);
    expect((await alice.api("GET", `/api/threads/${threadB}`)).body.attachments).toEqual([]);
    expect(await row(report.id)).toEqual(linked);
    // An edit of the first question in A (a sibling version) keeps the file.
    expect((await send(alice, threadA, "in A, edited", [report.id], { parentId: null })).status).toBe(202);
    expect(await row(report.id)).toEqual(linked);
  });

  it("the quota counts each blob once per owner: Bob uploading Alice's same bytes gets a blob of his own", async () => {
    const bytes = files.pdf("Shared content, counted per owner", 20_000);
    const aliceBefore = await storageUsed(server.db, alice.id);
    const bobBefore = await storageUsed(server.db, bob.id);
    const a1 = await upload(alice, "shared.pdf", bytes);
    const a2 = await upload(alice, "shared copy.pdf", bytes);
    expect((await row(a1.id)).blob_id).toBe((await row(a2.id)).blob_id);
    expect(await storageUsed(server.db, alice.id)).toBe(aliceBefore + bytes.length);
    const b1 = await upload(bob, "shared.pdf", bytes);
    const bobBlob = (await row(b1.id)).blob_id;
    expect(bobBlob).not.toBe((await row(a1.id)).blob_id);
    expect(await server.db.selectFrom("blobs").select("owner_id").where("id", "=", bobBlob).executeTakeFirstOrThrow()).toEqual({ owner_id: bob.id });
    expect(await storageUsed(server.db, bob.id)).toBe(bobBefore + bytes.length);
    expect(await storageUsed(server.db, alice.id)).toBe(aliceBefore + bytes.length);
    // The admin page shows each user's own storage.
    const users = (await alice.api("GET", "/api/admin/users")).body.users as { email: string; storageBytes: number }[];
    expect(users.find((u) => u.email === "alice@example.com")!.storageBytes).toBe(aliceBefore + bytes.length);
    expect(users.find((u) => u.email === "bob@example.com")!.storageBytes).toBe(bobBefore + bytes.length);
  });

  it("after Alice deletes her thread, her blob goes but Bob's blob of the same content still downloads", async () => {
    const bytes = files.pdf("Same bytes, two owners, one deletion");
    const aliceFile = await upload(alice, "same.pdf", bytes);
    const bobFile = await upload(bob, "same.pdf", bytes);
    const aliceBlob = (await row(aliceFile.id)).blob_id;
    const bobBlob = (await row(bobFile.id)).blob_id;
    const aliceThread = await newThread(alice);
    await send(alice, aliceThread, "same", [aliceFile.id]);
    const bobThread = await newThread(bob);
    await send(bob, bobThread, "same", [bobFile.id]);
    expect((await alice.api("DELETE", `/api/threads/${aliceThread}`)).status).toBe(204);
    expect(await server.db.selectFrom("blobs").select("id").where("id", "=", aliceBlob).executeTakeFirst()).toBeUndefined();
    expect((await download(alice, aliceFile.url)).status).toBe(404);
    expect(await server.db.selectFrom("blobs").select("id").where("id", "=", bobBlob).executeTakeFirst()).toEqual({ id: bobBlob });
    const res = await download(bob, bobFile.url);
    expect(res.status).toBe(200);
    expect(sha256(new Uint8Array(await res.arrayBuffer()))).toBe(sha256(bytes));
    // And Bob's thread still sends it.
    expect((await send(bob, bobThread, "still there?", [])).status).toBe(202);
    expect(env.emulator.requests.at(-1)!.status).toBe(200);
  });
});
