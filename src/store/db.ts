import { mkdirSync } from "node:fs";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteDialect } from "kysely";
import { Migrator } from "kysely/migration";
import pg from "pg";
import { migrationsFor } from "./migrations/index.js";
import { startCheckpointer } from "./sqlite-checkpointer.js";
import type { Database } from "./schema.js";

export type Db = Kysely<Database>;
export type Dialect = "sqlite" | "postgres";

const dialects = new WeakMap<Db, Dialect>();

/** Which database engine a handle talks to (for the few dialect-specific statements, e.g. full-text search). */
export function dialectOf(db: Db): Dialect {
  return dialects.get(db) ?? "sqlite";
}

export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/**
 * Opens the database and applies pending migrations. `location` is a PostgreSQL URL (DATABASE_URL), a directory for
 * the embedded SQLite file, or ":memory:" (tests).
 */
export async function openDatabase(location: string): Promise<Db> {
  if (!isPostgresUrl(location)) {
    const db = openSqlite(location);
    await migrate(db);
    return db;
  }
  const db = openPostgres(location);
  try {
    await migrate(db);
  } catch (error) {
    await db.destroy().catch(() => undefined);
    throw new DatabaseError(`cannot use the PostgreSQL database at ${describeUrl(location)} (DATABASE_URL): ${(error as Error).message}. Check that the server runs, the database exists and the user may create tables in it.`);
  }
  return db;
}

/** A database that cannot be opened, with what to check. */
export class DatabaseError extends Error {
  override readonly name = "DatabaseError";
}

/** host:port/database of a PostgreSQL URL, never its password. */
function describeUrl(location: string): string {
  try {
    const url = new URL(location);
    return `${url.hostname}:${url.port || "5432"}${url.pathname}`;
  } catch {
    return "(an unreadable URL)";
  }
}

function openSqlite(dataDir: string): Db {
  let file = ":memory:";
  if (dataDir !== ":memory:") {
    mkdirSync(dataDir, { recursive: true });
    file = join(dataDir, "chat.sqlite");
  }
  const sqlite = withStatementCache(new SQLite(file));
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = NORMAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  if (file !== ":memory:") startCheckpointer(sqlite, file, { onError: (error) => process.emitWarning(error.message) });
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  dialects.set(db, "sqlite");
  return db;
}

function openPostgres(url: string): Db {
  const pool = new pg.Pool({ connectionString: url, max: Number(process.env["DATABASE_POOL_SIZE"] ?? 10) });
  // An idle client that loses its connection (database restart) must not crash the process; the pool replaces it.
  pool.on("error", () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  dialects.set(db, "postgres");
  return db;
}

export async function migrate(db: Db): Promise<void> {
  const migrator = new Migrator({ db, provider: migrationsFor(dialectOf(db)) });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === "Error");
  if (error || failed) {
    throw new Error(`database migration${failed ? ` ${failed.migrationName}` : ""} failed: ${(error as Error)?.message ?? "unknown error"}`);
  }
}

/**
 * Kysely prepares every query anew; preparing is a large share of SQLite's cost under load. Statements are cached
 * by their SQL text (the queries are parameterized, so the set of texts is small and fixed).
 */
function withStatementCache(db: SQLite.Database, limit = 500): SQLite.Database {
  const cache = new Map<string, SQLite.Statement>();
  const prepare = db.prepare.bind(db);
  db.prepare = ((source: string) => {
    let statement = cache.get(source);
    if (!statement) {
      statement = prepare(source);
      if (cache.size >= limit) cache.delete(cache.keys().next().value!);
      cache.set(source, statement);
    }
    return statement;
  }) as typeof db.prepare;
  return db;
}
