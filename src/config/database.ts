import { accessSync, constants } from "node:fs";
import { resolve } from "node:path";
import { EnvError, type ServerEnv } from "./env.js";

type DatabaseEnv = Pick<
  ServerEnv,
  "DATA_DIR" | "DATABASE_URL" | "DATABASE_HOST" | "DATABASE_PORT" | "DATABASE_NAME" | "DATABASE_USER" | "DATABASE_PASSWORD" | "DATABASE_CA_FILE"
>;

const FIELDS = ["DATABASE_HOST", "DATABASE_NAME", "DATABASE_USER", "DATABASE_PASSWORD"] as const;

/**
 * Where the data lives, as `openDatabase` takes it: a PostgreSQL URL, or the SQLite directory (DATA_DIR).
 *
 * PostgreSQL comes from DATABASE_URL, or from DATABASE_HOST, DATABASE_PORT (5432), DATABASE_NAME, DATABASE_USER and
 * DATABASE_PASSWORD: the fields of an RDS secret, which the AWS deployment injects one by one so no password sits
 * in a URL in the task definition. With DATABASE_CA_FILE, TLS is required and the server's certificate must chain to
 * that bundle and name the host (libpq's `sslmode=verify-full`); the URL carries it, so every connection the app
 * opens (the pool and the LISTEN connection) is verified alike.
 */
export function databaseLocation(env: DatabaseEnv): string {
  const fieldsSet = FIELDS.filter((name) => env[name] !== undefined);
  if (env.DATABASE_URL && (fieldsSet.length || env.DATABASE_PORT !== undefined)) {
    throw new EnvError(`DATABASE_URL and ${fieldsSet[0] ?? "DATABASE_PORT"} are both set: give the database either as one URL or as DATABASE_HOST, DATABASE_PORT, DATABASE_NAME, DATABASE_USER and DATABASE_PASSWORD.`);
  }
  let url: URL | undefined;
  if (env.DATABASE_URL) {
    url = new URL(env.DATABASE_URL);
  } else if (fieldsSet.length) {
    const missing = FIELDS.filter((name) => env[name] === undefined);
    if (missing.length) throw new EnvError(`${fieldsSet.join(", ")} ${fieldsSet.length > 1 ? "are" : "is"} set but ${missing.join(", ")} ${missing.length > 1 ? "are" : "is"} not: a PostgreSQL database given by its fields needs all of DATABASE_HOST, DATABASE_NAME, DATABASE_USER and DATABASE_PASSWORD (DATABASE_PORT defaults to 5432).`);
    url = new URL("postgres://placeholder");
    url.hostname = env.DATABASE_HOST!.includes(":") && !env.DATABASE_HOST!.startsWith("[") ? `[${env.DATABASE_HOST}]` : env.DATABASE_HOST!;
    url.port = String(env.DATABASE_PORT ?? 5432);
    url.username = encodeURIComponent(env.DATABASE_USER!);
    url.password = encodeURIComponent(env.DATABASE_PASSWORD!);
    url.pathname = `/${encodeURIComponent(env.DATABASE_NAME!)}`;
  }
  if (!url) {
    if (env.DATABASE_CA_FILE) throw new EnvError("DATABASE_CA_FILE is set but no PostgreSQL database is: set DATABASE_URL or DATABASE_HOST (SQLite needs no certificate).");
    return env.DATA_DIR;
  }
  if (env.DATABASE_CA_FILE) {
    const file = resolve(env.DATABASE_CA_FILE);
    try {
      accessSync(file, constants.R_OK);
    } catch {
      throw new EnvError(`DATABASE_CA_FILE=${JSON.stringify(env.DATABASE_CA_FILE)}: the file cannot be read. It must be the PEM bundle of the CAs that sign the database's certificate (for Amazon RDS: global-bundle.pem from the RDS documentation).`);
    }
    url.searchParams.set("sslmode", "verify-full");
    url.searchParams.set("sslrootcert", file);
  }
  return url.toString();
}
