import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { sweepPendingAttachments } from "../src/store/attachments.js";
import { DatabaseBlobStore } from "../src/attachments/blob-store.js";
import * as files from "./fixtures/files.js";
import { useBedrockEmulator } from "./helpers/bedrock-env.js";
import { withoutCachePoints } from "./helpers/cache-points.js";
import { readEvents, startChatServer, waitFor, type ChatServer } from "./helpers/chat-server.js";

const env = useBedrockEmulator();
let server: ChatServer;
let now = new Date("2026-11-25T10:00:00Z");
beforeAll(async () => {
  server = await startChatServer({
    clock: () => now,
    attachments: { uploadsPerMinute: 1000 },
    // A profile without vision or documents, to switch to.
    configPatch: {
      bedrock_models: {
        ...JSON.parse((await import("node:fs")).readFileSync(new URL("../config.example.json", import.meta.url), "utf8")).bedrock_models,
        "Text Only": { id: "us.amazon.nova-micro-v1:0", vision: false, document: false, cost: { input_1k_price: 0.000035, output_1k_price: 0.00014 } },
      },
    },
  });
});
afterAll(async () => server?.close());
afterEach(async () => waitFor(async () => server.app.generations.runningCount(), (n) => n === 0));

const NOVA = "Amazon Nova Pro";

/** Uploads one file as the browser does (multipart), with the app's CSRF headers. */
async function upload(name: string, bytes: Uint8Array, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const form = new FormData();
  form.append("file", new Blob([new Uint8Array(bytes)]), name);
  const res = await fetch(`${server.url}/api/attachments`, { method: "POST", body: form, headers: { origin: server.url, "x-requested-with": "fetch", ...headers } });
  return { status: res.status, body: await res.json() };
}
const newThread = async (profile = NOVA) => (await server.api("POST", "/api/threads", { profile })).body.thread.id as string;
async function send(threadId: string, text: string, attachments: string[], extra: Record<string, unknown> = {}) {
  const res = await server.api("POST", `/api/threads/${threadId}/messages`, { text, attachments, ...extra });
  if (res.status === 202) await readEvents(`${server.url}/api/generations/${res.body.generationId}/events`);
  return res;
}
/** The last request, checkpoints aside (test/prompt-caching.test.ts is about those, documents included). */
const lastRequest = () => withoutCachePoints(env.emulator.requests.at(-1)!.body) as unknown as { messages: { role: string; content: Record<string, any>[] }[] };
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");

describe("attachments: upload, detection by content, limits", () => {
  it("accepts every image and document type, detected from its content, and says what it found", async () => {
    for (const sample of await files.acceptedSamples()) {
      const res = await upload(sample.name, sample.bytes);
      expect(res.status, sample.name).toBe(201);
      expect(res.body.attachment, sample.name).toMatchObject({ fileName: sample.name, kind: sample.kind, format: sample.format, sent: false, url: expect.stringMatching(/^\/api\/attachments\/[0-9a-f]{32}$/) });
    }
  });

  it("refuses a file whose content is not what its name says, naming what it really is", async () => {
    const fake = await files.pngNamedPdf();
    const res = await upload(fake.name, fake.bytes);
    expect(res.status).toBe(415);
    expect(res.body.error.message).toMatch(new RegExp(`^${fake.name.replace(".", "\\.")} is a PNG image, not a PDF`));
  });

  it("refuses a document over Bedrock's 4.5 MB with both sizes, and fits a 9,000 px image with a notice", async () => {
    const big = await upload("big.pdf", files.largePdf());
    expect(big.status).toBe(413);
    expect(big.body.error.message).toBe("big.pdf is 5 MB; the model's limit for one document is 4.5 MB. Attach a shorter version or split it.");
    const wide = await upload("panorama.png", await files.widePng());
    expect(wide.status).toBe(201);
    expect(wide.body.attachment.width).toBeLessThanOrEqual(8000);
    expect(wide.body.attachment.notice).toMatch(/^panorama\.png was resized to 8,000 × \d+/);
  });
});

describe("attachments in messages: the Converse blocks Bedrock gets", () => {
  it("sends images and documents as blocks with bytes, names sanitized, a text block beside documents, and resends them on later turns", async () => {
    const pngBytes = await files.png();
    const image = (await upload("chart.png", pngBytes)).body.attachment;
    const report = (await upload(files.AWKWARD_NAME, files.pdf())).body.attachment;
    const thread = await newThread();
    const first = await send(thread, "What do these show?", [image.id, report.id]);
    expect(first.status).toBe(202);
    expect(lastRequest().messages[0]!.content).toEqual([
      { text: "What do these show?" },
      { image: { format: "png", source: { bytes: b64(pngBytes) } } },
      { document: { format: "pdf", name: "Q3 report v2 (final)", source: { bytes: b64(files.pdf()) } } },
    ]);
    // Turns 2 and 3 carry the files again (the history), with the same names.
    await send(thread, "And the trend?", []);
    await send(thread, "Thanks", []);
    const third = lastRequest().messages;
    expect(third).toHaveLength(5);
    expect(third[0]!.content.map((b) => Object.keys(b)[0])).toEqual(["text", "image", "document"]);
    // The thread lists the files as metadata and URLs, never bytes.
    const detail = (await server.api("GET", `/api/threads/${thread}`)).body;
    expect(detail.attachments.map((a: { fileName: string; sent: boolean }) => [a.fileName, a.sent])).toEqual([["chart.png", true], [files.AWKWARD_NAME, true]]);
    expect(JSON.stringify(detail)).not.toContain(b64(pngBytes).slice(0, 40));
    expect(detail.messages[0].parts[1]).toEqual({ type: "image", format: "png", source: { type: "attachment", id: image.id }, fileName: "chart.png" });
  });

  it("makes document names unique across the request, history included, and adds a text block to files-only messages", async () => {
    const [one, two] = files.sameNamePair("notes.txt");
    const a = (await upload(one.name, one.bytes)).body.attachment;
    const b = (await upload(two.name, two.bytes)).body.attachment;
    const thread = await newThread();
    await send(thread, "", [a.id]);
    expect(lastRequest().messages[0]!.content).toEqual([{ text: "(See the attached files.)" }, { document: { format: "txt", name: "notes", source: { bytes: b64(one.bytes) } } }]);
    await send(thread, "and this one", [b.id]);
    const names = lastRequest().messages.flatMap((m) => m.content.filter((c) => c["document"]).map((c) => c["document"].name));
    expect(names).toEqual(["notes", "notes (2)"]);
  });

  it("after a switch to a profile without vision or documents, sends text stubs instead, with a notice, and keeps the files", async () => {
    const image = (await upload("photo.jpg", await files.jpeg())).body.attachment;
    const thread = await newThread();
    await send(thread, "look", [image.id]);
    const res = await server.api("POST", `/api/threads/${thread}/messages`, { text: "now text only", profile: "Text Only" });
    const { events } = await readEvents(`${server.url}/api/generations/${res.body.generationId}/events`);
    expect(lastRequest().messages[0]!.content).toEqual([{ text: "look" }, { text: "[photo.jpg was attached here; not sent to this model]" }]);
    expect(events.filter((e) => e.event === "notice").map((e) => e.data.message)).toEqual(['Not sent to this model: photo.jpg (profile "Text Only" does not take images or documents). The chat keeps it.']);
    expect((await server.api("GET", `/api/threads/${thread}`)).body.messages[0].parts[1]).toMatchObject({ type: "image", source: { type: "attachment", id: image.id } });
  });

  it("past Bedrock's 20 images per request, the oldest become stubs, with a notice", async () => {
    const thread = await newThread();
    for (let turn = 0; turn < 3; turn++) {
      const ids: string[] = [];
      for (let i = 0; i < 8; i++) ids.push((await upload(`t${turn}-${i}.png`, await files.png(16 + turn, 16 + i))).body.attachment.id);
      const res = await send(thread, `turn ${turn}`, ids);
      expect(res.status).toBe(202);
    }
    const sent = lastRequest().messages.flatMap((m) => m.content);
    expect(sent.filter((c) => c["image"])).toHaveLength(20);
    expect(sent.filter((c) => typeof c["text"] === "string" && c["text"].includes("was attached here"))).toHaveLength(4);
    expect(sent.find((c) => typeof c["text"] === "string" && c["text"].includes("was attached here"))!["text"]).toBe("[t0-0.png was attached here; not sent to this model]");
  });

  it("refuses a file the profile cannot take before anything is sent, naming the file and the profiles that take it", async () => {
    const image = (await upload("diagram.png", await files.png())).body.attachment;
    const thread = await newThread("Text Only");
    const before = env.emulator.requests.length;
    const res = await server.api("POST", `/api/threads/${thread}/messages`, { text: "see", attachments: [image.id] });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/^diagram\.png is an image, and profile "Text Only" does not take images\. Profiles that do: Claude Sonnet 4\.5, /);
    expect(env.emulator.requests.length).toBe(before);
    expect((await server.api("GET", `/api/threads/${thread}/messages`)).body.messages).toEqual([]);
  });
});

describe("attachments: download, deletion, pending uploads", () => {
  it("serves an image inline with its type and a document as a download, never as HTML", async () => {
    const image = (await upload("cat.webp", await files.webp())).body.attachment;
    const page = (await upload("page.html", files.html())).body.attachment;
    const img = await fetch(server.url + image.url);
    expect(img.headers.get("content-type")).toBe("image/webp");
    expect(img.headers.get("content-disposition")).toMatch(/^inline/);
    const doc = await fetch(server.url + page.url);
    expect(doc.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(doc.headers.get("content-disposition")).toMatch(/^attachment; filename\*=UTF-8''page\.html/);
    expect(doc.headers.get("x-content-type-options")).toBe("nosniff");
    expect(Buffer.from(await doc.arrayBuffer())).toEqual(Buffer.from(files.html()));
  });

  it("removes an upload not yet sent (the composer's Remove), and keeps a sent one with its chat", async () => {
    const pending = (await upload("draft.md", files.md())).body.attachment;
    expect((await server.api("DELETE", pending.url)).status).toBe(204);
    expect((await fetch(server.url + pending.url)).status).toBe(404);
    const sent = (await upload("kept.md", files.md())).body.attachment;
    const thread = await newThread();
    await send(thread, "notes", [sent.id]);
    const refused = await server.api("DELETE", sent.url);
    expect(refused.status).toBe(409);
    expect((await fetch(server.url + sent.url)).status).toBe(200);
  });

  it("stores identical bytes once, deletes a thread's files with it, and removes uploads never sent after a day", async () => {
    const bytes = files.csv();
    const first = (await upload("a.csv", bytes)).body.attachment;
    const second = (await upload("b.csv", bytes)).body.attachment;
    const blobCount = async () => Number((await server.db.selectFrom("blobs").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirst())!.n);
    const rows = await server.db.selectFrom("attachments").select("blob_id").where("id", "in", [first.id, second.id]).execute();
    expect(new Set(rows.map((r) => r.blob_id)).size).toBe(1);
    const thread = await newThread();
    await send(thread, "data", [first.id]);
    expect((await server.api("DELETE", `/api/threads/${thread}`)).status).toBe(204);
    expect((await fetch(server.url + first.url)).status).toBe(404);
    // The same bytes are still referenced by the pending upload: the blob stays until it goes too.
    const before = await blobCount();
    now = new Date(now.getTime() + 25 * 60 * 60_000);
    expect(await sweepPendingAttachments(server.db, new DatabaseBlobStore(), now)).toBeGreaterThan(0);
    expect((await fetch(server.url + second.url)).status).toBe(404);
    expect(await blobCount()).toBeLessThan(before);
  });
});

describe("attachments: caps per file, per user and per minute", () => {
  it("cuts an upload off at the per-file cap, refuses past the quota and past the upload rate, naming each cap", async () => {
    const capped = await startChatServer({ attachments: { maxBytes: 100_000, quotaBytes: 150_000, uploadsPerMinute: 4 } });
    try {
      const up = async (name: string, bytes: Uint8Array) => {
        const form = new FormData();
        form.append("file", new Blob([new Uint8Array(bytes)]), name);
        const res = await fetch(`${capped.url}/api/attachments`, { method: "POST", body: form, headers: { origin: capped.url, "x-requested-with": "fetch" } });
        return { status: res.status, body: await res.json() };
      };
      const tooBig = await up("huge.txt", files.largeText(300_000));
      expect(tooBig.status).toBe(413);
      expect(tooBig.body.error.message).toMatch(/^huge\.txt is about 300(\.\d+)? KB; the largest file you can attach is 100 KB \(ATTACHMENT_MAX_MB\)\.$/);
      expect((await up("a.txt", files.largeText(90_000))).status).toBe(201);
      const over = await up("b.txt", files.largeText(80_000));
      expect(over.status).toBe(413);
      expect(over.body.error.message).toMatch(/^b\.txt \(80 KB\) does not fit: your files use 90 KB of your 150 KB \(ATTACHMENT_QUOTA_MB\)/);
      await up("c.txt", files.txt());
      const limited = await up("d.txt", files.txt());
      expect(limited.status).toBe(429);
      expect(limited.body.error.message).toMatch(/uploaded 4 files in the last minute/);
    } finally {
      await capped.close();
    }
  });
});
