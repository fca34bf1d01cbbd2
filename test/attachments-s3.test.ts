import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetObjectCommand, GetObjectTaggingCommand, HeadObjectCommand, S3Client, S3ServiceException } from "@aws-sdk/client-s3";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { S3BlobStore } from "../src/attachments/s3-blob-store.js";
import { BUNDLED_CONFIG_PATH } from "../src/config/load.js";
import { sweepPendingAttachments } from "../src/store/attachments.js";
import * as files from "./fixtures/files.js";
import { useBedrockEmulator } from "./helpers/bedrock-env.js";
import { withoutCachePoints } from "./helpers/cache-points.js";
import { readEvents, startChatServer, waitFor, type ChatServer } from "./helpers/chat-server.js";

/** s3rver ships no type declarations: the part of its API these tests use. */
interface S3rverServer {
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
}
type S3rverOptions = { port: number; address: string; silent: boolean; directory: string; configureBuckets: { name: string }[] };
const S3rver = createRequire(import.meta.url)("s3rver") as new (options: S3rverOptions) => S3rverServer;

const BUCKET = "chat-files";
const ACCOUNT = "123456789012";
/** Takes S3 sources in the config (`s3_sources`) and in the emulator (Nova Pro: reference 10.4). */
const S3_PROFILE = "Amazon Nova Pro";
/** No `s3_sources` in the config (and the emulator refuses S3 sources for Claude): bytes. */
const BYTES_PROFILE = "Claude Sonnet 4.5";

const env = useBedrockEmulator();
let s3: S3rverServer;
let directory: string;
let client: S3Client;
let server: ChatServer;
/** Headers of each PutObject the app's S3 client sent (what a real S3 would act on). */
const putObjects: Record<string, string>[] = [];
const savedEndpoint = process.env["AWS_ENDPOINT_URL_S3"];

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), "chat-s3rver-"));
  s3 = new S3rver({ port: 0, address: "127.0.0.1", silent: true, directory, configureBuckets: [{ name: BUCKET }] });
  const { port } = await s3.run();
  // The endpoint as a user sets it: the SDK's service-specific endpoint variable.
  process.env["AWS_ENDPOINT_URL_S3"] = `http://127.0.0.1:${port}`;
  client = new S3Client({
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    maxAttempts: 1,
  });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const request = args.request as { headers?: Record<string, string> };
      if (context.commandName === "PutObjectCommand" && request.headers) putObjects.push({ ...request.headers });
      return next(args);
    },
    { step: "build", name: "recordPutObjectHeaders" },
  );
  const models = JSON.parse(readFileSync(BUNDLED_CONFIG_PATH, "utf8")).bedrock_models as Record<string, Record<string, unknown>>;
  server = await startChatServer({
    attachments: { uploadsPerMinute: 1000, blobs: new S3BlobStore({ bucket: BUCKET, bucketOwner: ACCOUNT, client }) },
    configPatch: { bedrock_models: { ...models, [S3_PROFILE]: { ...models[S3_PROFILE], s3_sources: true } } },
  });
});
afterAll(async () => {
  await server?.close();
  client?.destroy();
  await s3?.close();
  if (directory) rmSync(directory, { recursive: true, force: true });
  if (savedEndpoint === undefined) delete process.env["AWS_ENDPOINT_URL_S3"];
  else process.env["AWS_ENDPOINT_URL_S3"] = savedEndpoint;
});
afterEach(async () => waitFor(async () => server.app.generations.runningCount(), (n) => n === 0));

async function upload(name: string, bytes: Uint8Array): Promise<{ id: string; url: string }> {
  const form = new FormData();
  form.append("file", new Blob([new Uint8Array(bytes)]), name);
  const res = await fetch(`${server.url}/api/attachments`, { method: "POST", body: form, headers: { origin: server.url, "x-requested-with": "fetch" } });
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(201);
  return body.attachment;
}
const newThread = async (profile: string) => (await server.api("POST", "/api/threads", { profile })).body.thread.id as string;
async function send(threadId: string, text: string, attachments: string[], extra: Record<string, unknown> = {}) {
  const res = await server.api("POST", `/api/threads/${threadId}/messages`, { text, attachments, ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  const { events } = await readEvents(`${server.url}/api/generations/${res.body.generationId}/events`);
  expect(events.at(-1)?.data).toMatchObject({ type: "done", status: "complete" });
}
const lastRequest = () => {
  const request = env.emulator.requests.at(-1)!;
  return { modelId: request.modelId, status: request.status, body: withoutCachePoints(request.body) as unknown as { messages: { role: string; content: Record<string, any>[] }[] } };
};
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");

/** The blob row of an attachment. */
async function blobOf(attachmentId: string) {
  return server.db
    .selectFrom("attachments")
    .innerJoin("blobs", "blobs.id", "attachments.blob_id")
    .select(["blobs.id", "blobs.owner_id", "blobs.s3_key", "blobs.bytes", "blobs.size", "blobs.sha256"])
    .where("attachments.id", "=", attachmentId)
    .executeTakeFirstOrThrow();
}
const tags = async (key: string) => (await client.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key: key }))).TagSet ?? [];
const objectBytes = async (key: string) => (await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToByteArray();
/** HeadObject's status: 200, or the S3 error's (404 once deleted). */
async function headStatus(key: string): Promise<number | undefined> {
  try {
    return (await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }))).$metadata.httpStatusCode;
  } catch (error) {
    if (error instanceof S3ServiceException) return error.$metadata.httpStatusCode;
    throw error;
  }
}

describe("attachments in S3 (s3rver on 127.0.0.1, the real @aws-sdk/client-s3)", () => {
  it("upload puts the bytes in S3 under attachments/<owner>/<blob>, none in the blobs row; PutObject asks for the tag pending=true, which s3rver 3.7.1 ignores (its tag set stays empty: it does not implement PutObject's x-amz-tagging header)", async () => {
    const bytes = files.pdf("Stored in S3");
    const sent = putObjects.length;
    const attachment = await upload("stored.pdf", bytes);
    const blob = await blobOf(attachment.id);
    expect(blob.bytes).toBeNull();
    expect(blob.s3_key).toBe(`attachments/${blob.owner_id}/${blob.id}`);
    expect(blob.size).toBe(bytes.length);
    expect(sha256(await objectBytes(blob.s3_key!))).toBe(sha256(bytes));
    expect(blob.sha256).toBe(sha256(bytes));
    // What a real S3 would tag the object with, as the request carried it.
    expect(putObjects.length).toBe(sent + 1);
    expect(putObjects.at(-1)!["x-amz-tagging"]).toBe("pending=true");
    // s3rver stores no tags from PutObject; it does implement Get/PutObjectTagging (the "sent" test below).
    expect(await tags(blob.s3_key!)).toEqual([]);
    // The same bytes uploaded again by the same owner: one blob, one object.
    const again = await upload("stored again.pdf", bytes);
    expect((await blobOf(again.id)).id).toBe(blob.id);
    expect(putObjects.length).toBe(sent + 1);
  });

  it("a message on an s3_sources profile sends S3 locations with the bucket owner, not bytes, on every turn; the objects are then tagged pending=false", async () => {
    const pngBytes = await files.png(40, 30);
    const pdfBytes = files.pdf("Sent by location");
    const image = await upload("chart.png", pngBytes);
    const report = await upload("report.pdf", pdfBytes);
    const imageKey = (await blobOf(image.id)).s3_key!;
    const reportKey = (await blobOf(report.id)).s3_key!;
    const thread = await newThread(S3_PROFILE);
    await send(thread, "What do these show?", [image.id, report.id]);
    const first = lastRequest();
    expect(first.modelId).toBe("us.amazon.nova-pro-v1:0");
    expect(first.status).toBe(200);
    expect(first.body.messages[0]!.content).toEqual([
      { text: "What do these show?" },
      { image: { format: "png", source: { s3Location: { uri: `s3://${BUCKET}/${imageKey}`, bucketOwner: ACCOUNT } } } },
      { document: { format: "pdf", name: "report", source: { s3Location: { uri: `s3://${BUCKET}/${reportKey}`, bucketOwner: ACCOUNT } } } },
    ]);
    expect(JSON.stringify(first.body)).not.toContain(b64(pdfBytes).slice(0, 40));
    expect(await tags(imageKey)).toEqual([{ Key: "pending", Value: "false" }]);
    expect(await tags(reportKey)).toEqual([{ Key: "pending", Value: "false" }]);
    // Turn 2 carries the history by location again: nothing re-uploaded.
    await send(thread, "And the trend?", []);
    expect(lastRequest().body.messages[0]!.content.slice(1).map((b) => (b["image"] ?? b["document"]).source)).toEqual([
      { s3Location: { uri: `s3://${BUCKET}/${imageKey}`, bucketOwner: ACCOUNT } },
      { s3Location: { uri: `s3://${BUCKET}/${reportKey}`, bucketOwner: ACCOUNT } },
    ]);
  });

  it("a message on a profile without s3_sources sends the bytes read back from S3, the same as uploaded, and marks the object sent", async () => {
    const pngBytes = await files.png(32, 24);
    const pdfBytes = files.pdf("Sent as bytes");
    const image = await upload("photo.png", pngBytes);
    const report = await upload("notes.pdf", pdfBytes);
    const thread = await newThread(BYTES_PROFILE);
    await send(thread, "Describe", [image.id, report.id]);
    const request = lastRequest();
    expect(request.status).toBe(200);
    expect(request.body.messages[0]!.content).toEqual([
      { text: "Describe" },
      { image: { format: "png", source: { bytes: b64(pngBytes) } } },
      { document: { format: "pdf", name: "notes", source: { bytes: b64(pdfBytes) } } },
    ]);
    expect(await tags((await blobOf(report.id)).s3_key!)).toEqual([{ Key: "pending", Value: "false" }]);
  });

  it("a thread switched from an s3_sources profile to one without sends its earlier files as bytes", async () => {
    const pdfBytes = files.pdf("Switched profile");
    const report = await upload("switch.pdf", pdfBytes);
    const thread = await newThread(S3_PROFILE);
    await send(thread, "Read this", [report.id]);
    expect(lastRequest().body.messages[0]!.content[1]!["document"].source).toHaveProperty("s3Location");
    await send(thread, "Again, on Claude", [], { profile: BYTES_PROFILE });
    expect(lastRequest().body.messages[0]!.content[1]).toEqual({ document: { format: "pdf", name: "switch", source: { bytes: b64(pdfBytes) } } });
  });

  it("download through GET /api/attachments/:id gives the bytes stored in S3 (sha256 compared)", async () => {
    const jpegBytes = await files.jpeg(50, 40);
    const xlsxBytes = files.xlsx();
    for (const [name, bytes, type] of [["download.jpg", jpegBytes, "image/jpeg"], ["sheet.xlsx", xlsxBytes, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"]] as const) {
      const attachment = await upload(name, bytes);
      const res = await fetch(server.url + attachment.url);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe(type);
      const body = new Uint8Array(await res.arrayBuffer());
      expect(sha256(body), name).toBe(sha256(bytes));
      expect(sha256(await objectBytes((await blobOf(attachment.id)).s3_key!)), name).toBe(sha256(bytes));
    }
  });

  it("deleting the thread deletes its objects from S3 (HeadObject 404) and its blob rows", async () => {
    const pdfBytes = files.pdf("Deleted with its thread");
    const report = await upload("deleted.pdf", pdfBytes);
    const { s3_key: key, id: blobId } = await blobOf(report.id);
    const thread = await newThread(S3_PROFILE);
    await send(thread, "Keep this for now", [report.id]);
    expect(await headStatus(key!)).toBe(200);
    expect((await server.api("DELETE", `/api/threads/${thread}`)).status).toBe(204);
    expect(await headStatus(key!)).toBe(404);
    expect(await server.db.selectFrom("blobs").select("id").where("id", "=", blobId).executeTakeFirst()).toBeUndefined();
    expect((await fetch(server.url + report.url)).status).toBe(404);
  });

  it("an upload never sent is removed after a day, its S3 object too", async () => {
    const report = await upload("abandoned.pdf", files.pdf("Never sent"));
    const key = (await blobOf(report.id)).s3_key!;
    expect(await headStatus(key)).toBe(200);
    const blobs = new S3BlobStore({ bucket: BUCKET, bucketOwner: ACCOUNT, client });
    expect(await sweepPendingAttachments(server.db, blobs, new Date(Date.now() + 25 * 60 * 60_000))).toBeGreaterThan(0);
    expect(await headStatus(key)).toBe(404);
    expect((await fetch(server.url + report.url)).status).toBe(404);
  });
});
