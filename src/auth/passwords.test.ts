import { describe, expect, it } from "vitest";
import { hashPassword, passwordProblem, verifyPassword } from "./passwords.js";

describe("passwords", () => {
  it("hashes with scrypt, a salt per password and the parameters stored with the hash", async () => {
    const a = await hashPassword("correct horse battery");
    const b = await hashPassword("correct horse battery");
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword("correct horse battery", a)).toBe(true);
    expect(await verifyPassword("correct horse batterY", a)).toBe(false);
    expect(await verifyPassword("correct horse battery", "not-a-hash")).toBe(false);
  });

  it("verifies hashes made with other parameters (they are read from the hash)", async () => {
    const { scryptSync } = await import("node:crypto");
    const salt = Buffer.from("0123456789abcdef");
    const key = scryptSync("old password here", salt, 32, { N: 16384, r: 8, p: 1 });
    const stored = ["scrypt", 16384, 8, 1, salt.toString("base64url"), key.toString("base64url")].join("$");
    expect(await verifyPassword("old password here", stored)).toBe(true);
  });

  it("refuses short, common and email-like passwords with a reason", () => {
    expect(passwordProblem("short")).toMatch(/at least 12 characters/);
    expect(passwordProblem("Password1234")).toMatch(/too common/);
    expect(passwordProblem("aaaaaaaaaaaaaaa")).toMatch(/too common/);
    expect(passwordProblem("ana.lopez2024", "ana.lopez@example.com")).toMatch(/too close to the email/);
    expect(passwordProblem("a few unrelated words")).toBeUndefined();
  });
});
