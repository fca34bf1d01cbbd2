import { sql, type Kysely } from "kysely";
import type { Dialect } from "../db.js";

/**
 * Attachments by reference: `blobs` hold the bytes once per owner and content (in the database, or an S3 key),
 * `attachments` are a user's files (name, detected kind and format, pixel size), linked to a thread and message
 * once sent. Message parts refer to attachments by id; bytes are read only when a model request is built.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const binary = dialect === "postgres" ? sql`bytea` : sql`blob`;
  await db.schema
    .createTable("blobs")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("owner_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("sha256", "text", (c) => c.notNull())
    .addColumn("size", "integer", (c) => c.notNull())
    /** The bytes, when they live in the database. */
    .addColumn("bytes", binary)
    /** The object key, when they live in S3 (ATTACHMENTS_BUCKET). */
    .addColumn("s3_key", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("blobs_owner_sha256").on("blobs").columns(["owner_id", "sha256"]).unique().execute();

  await db.schema
    .createTable("attachments")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("owner_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("blob_id", "text", (c) => c.notNull().references("blobs.id"))
    .addColumn("thread_id", "text")
    .addColumn("message_id", "text")
    /** The name the user's file had (shown and offered on download). */
    .addColumn("file_name", "text", (c) => c.notNull())
    /** The name sent to Bedrock: letters, digits, single spaces, hyphens, parentheses, square brackets. */
    .addColumn("model_name", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("format", "text", (c) => c.notNull())
    .addColumn("size", "integer", (c) => c.notNull())
    .addColumn("width", "integer")
    .addColumn("height", "integer")
    /** What was done to fit the model's limits ("resized to ..."), told when it is sent. */
    .addColumn("notice", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("attachments_owner_thread").on("attachments").columns(["owner_id", "thread_id"]).execute();
  await db.schema.createIndex("attachments_blob").on("attachments").column("blob_id").execute();
  await db.schema.createIndex("attachments_pending").on("attachments").columns(["message_id", "created_at"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("attachments").execute();
  await db.schema.dropTable("blobs").execute();
}
