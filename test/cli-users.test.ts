import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { authenticate } from "../src/auth/accounts.js";
import { openDatabase } from "../src/store/db.js";
import { isSetupToken } from "../src/store/sessions.js";
import { runCli } from "./helpers/run-cli.js";

const dataDir = mkdtempSync(join(tmpdir(), "chat-cli-users-"));
const env = { DATA_DIR: dataDir };
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe("npm run cli -- users setup-link", { timeout: 60_000 }, () => {
  it("prints a new one-hour setup link that replaces the last one, until an admin exists", async () => {
    const dir = mkdtempSync(join(tmpdir(), "chat-cli-setup-"));
    try {
      const linkEnv = { DATA_DIR: dir, PUBLIC_URL: "https://chat.example.com" };
      const first = await runCli(["users", "setup-link"], { env: linkEnv });
      expect(first.code).toBe(0);
      const token1 = /^https:\/\/chat\.example\.com\/setup\?token=([\w-]+)\n\(valid until \S+; earlier links no longer work\)\n$/.exec(first.stdout)?.[1];
      expect(token1, first.stdout).toBeDefined();
      const second = await runCli(["users", "setup-link"], { env: linkEnv });
      const token2 = /token=([\w-]+)/.exec(second.stdout)![1]!;
      const db = await openDatabase(dir);
      try {
        expect(await isSetupToken(db, token1!, new Date())).toBe(false);
        expect(await isSetupToken(db, token2, new Date())).toBe(true);
        expect(await isSetupToken(db, token2, new Date(Date.now() + 61 * 60_000))).toBe(false);
      } finally {
        await db.destroy();
      }
      await runCli(["users", "add", "first@example.com", "--admin"], { env: linkEnv, stdin: "the first admin's passphrase\n" });
      const done = await runCli(["users", "setup-link"], { env: linkEnv });
      expect(done.code).toBe(1);
      expect(done.stderr).toMatch(/an admin account already exists/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// Each test runs several CLI processes (about 1.5 s each to start on this machine, more when the cores are busy).
describe("npm run cli -- users", { timeout: 60_000 }, () => {
  it("adds an admin with the password from stdin, and the password works", async () => {
    const added = await runCli(["users", "add", "Ops@Example.com", "--admin", "--name", "Ops Team"], { env, stdin: "a strong passphrase here\n" });
    expect(added.stderr).toBe("");
    expect(added.stdout).toBe("created ops@example.com (admin)\n");
    expect(added.code).toBe(0);
    const db = await openDatabase(dataDir);
    try {
      const user = await authenticate(db, "ops@example.com", "a strong passphrase here", new Date());
      expect(user).toMatchObject({ role: "admin", name: "Ops Team" });
    } finally {
      await db.destroy();
    }
  });

  it("refuses a weak password, a duplicate and a missing password with a clear message", async () => {
    const weak = await runCli(["users", "add", "weak@example.com"], { env, stdin: "short\n" });
    expect(weak.code).toBe(1);
    expect(weak.stderr).toMatch(/^error: The password must be at least 12 characters/);
    const dup = await runCli(["users", "add", "ops@example.com"], { env, stdin: "another long passphrase\n" });
    expect(dup.code).toBe(1);
    expect(dup.stderr).toMatch(/already exists/);
    const none = await runCli(["users", "add", "x@example.com"], { env, stdin: "" });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no password on standard input/);
  });

  it("lists, disables, enables, resets passwords and changes roles", async () => {
    await runCli(["users", "add", "dev@example.com"], { env, stdin: "developer passphrase\n" });
    const list = await runCli(["users", "list", "--json"], { env });
    expect(JSON.parse(list.stdout).map((u: { email: string; role: string }) => [u.email, u.role])).toEqual([
      ["ops@example.com", "admin"],
      ["dev@example.com", "user"],
    ]);
    expect((await runCli(["users", "disable", "dev@example.com"], { env })).stdout).toBe("disabled dev@example.com\n");
    expect((await runCli(["users", "list"], { env })).stdout).toMatch(/dev@example.com\tuser\tdisabled\tpassword\tlast sign-in never/);
    expect((await runCli(["users", "enable", "dev@example.com"], { env })).code).toBe(0);
    const reset = await runCli(["users", "reset-password", "dev@example.com"], { env, stdin: "a replacement passphrase\n" });
    expect(reset.stdout).toMatch(/new password set/);
    expect((await runCli(["users", "role", "dev@example.com", "admin"], { env })).stdout).toBe("dev@example.com is now admin\n");
    const db = await openDatabase(dataDir);
    try {
      await expect(authenticate(db, "dev@example.com", "developer passphrase", new Date())).rejects.toThrow(/not right/);
      expect((await authenticate(db, "dev@example.com", "a replacement passphrase", new Date())).role).toBe("admin");
    } finally {
      await db.destroy();
    }
    const unknown = await runCli(["users", "disable", "ghost@example.com"], { env });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/there is no account for ghost@example.com/);
  });
});
