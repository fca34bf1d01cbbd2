import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "pg-connection-string";
import { describe, expect, it } from "vitest";
import { databaseLocation } from "./database.js";
import { readServerEnv } from "./env.js";

const ca = join(mkdtempSync(join(tmpdir(), "chat-ca-")), "bundle.pem");
writeFileSync(ca, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
const secretFields = { DATABASE_HOST: "chat.cluster-abc.us-west-2.rds.amazonaws.com", DATABASE_PORT: "5432", DATABASE_NAME: "chat", DATABASE_USER: "chat_admin", DATABASE_PASSWORD: "a/b@c:d?e#f%g h" };
const location = (vars: Record<string, string>) => databaseLocation(readServerEnv(vars));

describe("databaseLocation", () => {
  it("is DATA_DIR (SQLite) without PostgreSQL settings, and DATABASE_URL as given", () => {
    expect(location({})).toBe("./data");
    expect(location({ DATABASE_URL: "postgres://u:p@db:5432/chat" })).toBe("postgres://u:p@db:5432/chat");
  });

  it("builds a URL from the secret's fields that pg reads back field for field", () => {
    const parsed = parse(location(secretFields));
    expect(parsed).toMatchObject({ host: secretFields.DATABASE_HOST, port: "5432", database: "chat", user: "chat_admin", password: secretFields.DATABASE_PASSWORD });
    const { DATABASE_PORT: _port, ...withoutPort } = secretFields;
    expect(parse(location(withoutPort))).toMatchObject({ port: "5432" });
  });

  it("with DATABASE_CA_FILE, requires TLS verified against that bundle and the host name", () => {
    const parsed = parse(location({ ...secretFields, DATABASE_CA_FILE: ca }));
    expect(parsed.ssl).toMatchObject({ ca: expect.stringContaining("BEGIN CERTIFICATE") });
    expect((parsed.ssl as { rejectUnauthorized?: boolean }).rejectUnauthorized).not.toBe(false);
    expect(new URL(location({ DATABASE_URL: "postgres://u:p@db/chat?sslmode=disable", DATABASE_CA_FILE: ca })).searchParams.get("sslmode")).toBe("verify-full");
  });

  it("says what is wrong with an incomplete or contradictory setting", () => {
    expect(() => location({ DATABASE_HOST: "db" })).toThrow(/DATABASE_HOST is set but DATABASE_NAME, DATABASE_USER, DATABASE_PASSWORD are not/);
    expect(() => location({ ...secretFields, DATABASE_URL: "postgres://u:p@db/chat" })).toThrow(/DATABASE_URL and DATABASE_HOST are both set/);
    expect(() => location({ ...secretFields, DATABASE_CA_FILE: "/nonexistent/rds.pem" })).toThrow(/DATABASE_CA_FILE="\/nonexistent\/rds.pem": the file cannot be read/);
    expect(() => location({ DATABASE_CA_FILE: ca })).toThrow(/no PostgreSQL database is/);
  });
});

describe("ALLOWED_HOSTS", () => {
  it("takes host names with an optional port, lower-cased", () => {
    expect(readServerEnv({ ALLOWED_HOSTS: "Chat-ALB-1.us-west-2.elb.amazonaws.com, origin.example.com:8443" }).ALLOWED_HOSTS).toEqual(["chat-alb-1.us-west-2.elb.amazonaws.com", "origin.example.com:8443"]);
  });

  it("refuses anything else a Host header could not equal", () => {
    for (const bad of ["https://alb.example.com", "alb.example.com/", "user@alb.example.com", "alb.example.com.", "127.1", "*.example.com"]) {
      expect(() => readServerEnv({ ALLOWED_HOSTS: bad }), bad).toThrow(/ALLOWED_HOSTS=.*must be host names/);
    }
  });
});
