import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseLocation } from "../src/config/database.js";
import { readServerEnv } from "../src/config/env.js";
import { DatabaseError, openDatabase } from "../src/store/db.js";
import { findPostgresBin, startPostgres, type TestPostgres } from "./helpers/postgres.js";

// The AWS deployment gives the database as the fields of its RDS secret and verifies TLS against the RDS CA
// bundle (DATABASE_CA_FILE). Here: a cluster whose certificate a throwaway CA signed, that takes the app's user
// only over TLS and with its password.
const bin = findPostgresBin();
if (!bin && process.env["REQUIRE_PG"] === "1") throw new Error("REQUIRE_PG=1 but PostgreSQL is not installed (apt-get install postgresql).");

const USER = "chat_app";
// Characters that must be escaped in a URL: the password travels as a field, never as a URL someone wrote.
const PASSWORD = "p@ss:w/rd?#%& é";
const DATABASE = "chat";

let dir: string;
let cluster: TestPostgres;
let caFile: string;
let otherCaFile: string;
let port: number;

function openssl(args: string[]): void {
  const result = spawnSync("openssl", args, { cwd: dir, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`openssl ${args.join(" ")} failed: ${result.stderr}`);
}

/** A CA (ca.pem), and a server certificate it signs for 127.0.0.1; plus an unrelated CA (other-ca.pem). */
function makeCertificates(): { cert: string; key: string } {
  const subject = (cn: string) => ["-subj", `/CN=${cn}`];
  openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", ...subject("Test RDS Root CA")]);
  openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "other-ca.key", "-out", "other-ca.pem", "-days", "2", ...subject("Some Other CA")]);
  openssl(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", ...subject("127.0.0.1")]);
  writeFileSync(join(dir, "san.ext"), "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n");
  openssl(["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.crt", "-days", "2", "-extfile", "san.ext"]);
  return { cert: readFileSync(join(dir, "server.crt"), "utf8"), key: readFileSync(join(dir, "server.key"), "utf8") };
}

const fields = (extra: Record<string, string> = {}) =>
  readServerEnv({ DATABASE_HOST: "127.0.0.1", DATABASE_PORT: String(port), DATABASE_NAME: DATABASE, DATABASE_USER: USER, DATABASE_PASSWORD: PASSWORD, DATABASE_CA_FILE: caFile, ...extra });

describe.skipIf(!bin)("PostgreSQL from secret fields over verified TLS (DATABASE_CA_FILE)", () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "chat-pg-tls-"));
    caFile = join(dir, "ca.pem");
    otherCaFile = join(dir, "other-ca.pem");
    cluster = await startPostgres(bin!, {
      ssl: makeCertificates(),
      // The superuser (test setup only) over plain TCP; the app's user only over TLS, with its password.
      hba: ["host all postgres 127.0.0.1/32 trust", `hostssl all ${USER} 127.0.0.1/32 scram-sha-256`, `hostnossl all ${USER} 127.0.0.1/32 reject`],
    });
    port = Number(new URL(cluster.url).port);
    const admin = new pg.Client({ connectionString: cluster.url });
    await admin.connect();
    try {
      await admin.query(`CREATE ROLE ${USER} LOGIN PASSWORD '${PASSWORD.replaceAll("'", "''")}'`);
      await admin.query(`CREATE DATABASE ${DATABASE} OWNER ${USER}`);
    } finally {
      await admin.end();
    }
  }, 60_000);
  afterAll(() => {
    cluster?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("connects with host, port, database, user and password, over TLS, and migrates", async () => {
    const db = await openDatabase(databaseLocation(fields()));
    try {
      const row = await sql<{ ssl: boolean; user: string }>`select ssl, current_user as user from pg_stat_ssl where pid = pg_backend_pid()`.execute(db);
      expect(row.rows[0]).toEqual({ ssl: true, user: USER });
      await db.selectFrom("threads").select("id").execute();
    } finally {
      await db.destroy();
    }
  });

  it("verifies TLS on every connection made from the location, the LISTEN connection's kind too", async () => {
    // The relay opens its own pg.Client from the same location string.
    const client = new pg.Client({ connectionString: databaseLocation(fields()) });
    await client.connect();
    try {
      expect((await client.query("select ssl from pg_stat_ssl where pid = pg_backend_pid()")).rows[0]).toEqual({ ssl: true });
    } finally {
      await client.end();
    }
  });

  it("refuses a server whose certificate another CA signed", async () => {
    const error = await openDatabase(databaseLocation(fields({ DATABASE_CA_FILE: otherCaFile }))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseError);
    expect((error as Error).message).toMatch(/^cannot use the PostgreSQL database at 127\.0\.0\.1:\d+\/chat .*(self[- ]signed|unable to (get|verify)|certificate)/);
    expect((error as Error).message).not.toContain(PASSWORD);
  });

  it("refuses a server whose certificate does not name the host it was reached at", async () => {
    // The certificate names 127.0.0.1; the same server reached as "localhost" must not be accepted.
    const error = await openDatabase(databaseLocation(fields({ DATABASE_HOST: "localhost" }))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseError);
    expect((error as Error).message).toMatch(/altnames/);
  });

  it("does not connect without the password", async () => {
    const error = await openDatabase(databaseLocation(fields({ DATABASE_PASSWORD: "not the password" }))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseError);
    expect((error as Error).message).toMatch(/password authentication failed/);
  });
});
