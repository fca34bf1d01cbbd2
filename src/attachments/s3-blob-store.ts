import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, PutObjectTaggingCommand, S3Client } from "@aws-sdk/client-s3";
import type { BlobStore } from "./blob-store.js";

export interface S3BlobStoreOptions {
  bucket: string;
  /** The bucket owner's account id, sent to Bedrock with S3 locations (recommended: Bedrock checks it). */
  bucketOwner?: string;
  client?: S3Client;
}

/**
 * Attachment bytes in S3 (ATTACHMENTS_BUCKET), under a prefix per owner: `attachments/<owner>/<blob>`. New objects
 * carry the tag `pending=true` until a message sends them, so a bucket lifecycle rule on that tag can expire
 * abandoned uploads (the app removes them itself after a day too). Credentials and endpoint come from the standard
 * chain (`AWS_ENDPOINT_URL_S3` in tests).
 */
export class S3BlobStore implements BlobStore {
  readonly kind = "s3" as const;
  private readonly client: S3Client;

  constructor(private readonly options: S3BlobStoreOptions) {
    this.client = options.client ?? new S3Client({ forcePathStyle: process.env["AWS_S3_FORCE_PATH_STYLE"] === "true", requestChecksumCalculation: "WHEN_REQUIRED", responseChecksumValidation: "WHEN_REQUIRED" });
  }

  async write(ownerId: string, blobId: string, bytes: Uint8Array) {
    const key = `attachments/${ownerId}/${blobId}`;
    await this.client.send(new PutObjectCommand({ Bucket: this.options.bucket, Key: key, Body: bytes, Tagging: "pending=true", ContentType: "application/octet-stream" }));
    return { bytes: null, s3Key: key };
  }

  async read(blob: { s3_key: string | null }): Promise<Uint8Array> {
    if (!blob.s3_key) throw new Error("this file's bytes are not in S3");
    const object = await this.client.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: blob.s3_key }));
    if (!object.Body) throw new Error(`S3 object ${blob.s3_key} has no body`);
    return object.Body.transformToByteArray();
  }

  location(blob: { s3_key: string | null }) {
    if (!blob.s3_key) return undefined;
    return { uri: `s3://${this.options.bucket}/${blob.s3_key}`, ...(this.options.bucketOwner ? { bucketOwner: this.options.bucketOwner } : {}) };
  }

  async markSent(blob: { s3_key: string | null }): Promise<void> {
    if (blob.s3_key) await this.client.send(new PutObjectTaggingCommand({ Bucket: this.options.bucket, Key: blob.s3_key, Tagging: { TagSet: [{ Key: "pending", Value: "false" }] } }));
  }

  async remove(blob: { s3_key: string | null }): Promise<void> {
    if (blob.s3_key) await this.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: blob.s3_key }));
  }
}
