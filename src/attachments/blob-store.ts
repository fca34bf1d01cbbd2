/**
 * Where attachment bytes live. The database by default (the bytes in the `blobs` row); S3 when ATTACHMENTS_BUCKET
 * is set (s3-blob-store.ts). The store never decides who may read what: callers look rows up by owner first.
 */
export interface BlobStore {
  readonly kind: "database" | "s3";
  /** Keeps new bytes; returns what the `blobs` row records (the bytes themselves, or the S3 key). */
  write(ownerId: string, blobId: string, bytes: Uint8Array): Promise<{ bytes: Uint8Array | null; s3Key: string | null }>;
  read(blob: { bytes: Uint8Array | null; s3_key: string | null }): Promise<Uint8Array>;
  /** The S3 location Bedrock can read itself, when the bytes are in S3. */
  location(blob: { s3_key: string | null }): { uri: string; bucketOwner?: string } | undefined;
  /** The bytes were sent in a message: no longer pending (S3: the lifecycle rule no longer expires them). */
  markSent(blob: { s3_key: string | null }): Promise<void>;
  remove(blob: { s3_key: string | null }): Promise<void>;
}

/** Bytes in the database row itself: nothing to write elsewhere. */
export class DatabaseBlobStore implements BlobStore {
  readonly kind = "database" as const;

  async write(_ownerId: string, _blobId: string, bytes: Uint8Array) {
    return { bytes, s3Key: null };
  }

  async read(blob: { bytes: Uint8Array | null }): Promise<Uint8Array> {
    if (!blob.bytes) throw new Error("this file's bytes are not in the database (was ATTACHMENTS_BUCKET unset after it was uploaded to S3?)");
    return blob.bytes;
  }

  location(): undefined {
    return undefined;
  }

  async markSent(): Promise<void> {}

  async remove(): Promise<void> {}
}
