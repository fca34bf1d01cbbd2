import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  isEncrypted,
  loadSecretKeys,
  requireSecretBox,
  SECRET_KEY_REQUIRED,
  SecretBox,
  SecretDecryptError,
  SecretsUnavailableError,
  type SecretKeys,
} from "./secret-box.js";
import { parseSecretKey, SecretKeyError } from "./secret-key.js";

const newKey = () => randomBytes(32);
const base64Key = () => newKey().toString("base64");

function box(keys: SecretKeys): SecretBox {
  if (!keys.available) throw new Error(`expected keys, got: ${keys.message}`);
  return keys.box;
}

/** Flips one bit of one part (1 key id, 2 iv, 3 ciphertext, 4 tag) of an encrypted value. */
function tamper(sealed: string, part: number): string {
  const parts = sealed.split(":");
  const bytes = Buffer.from(parts[part] ?? "", "base64url");
  bytes[0] = (bytes[0] ?? 0) ^ 1;
  parts[part] = bytes.toString("base64url");
  return parts.join(":");
}

describe("SecretBox", () => {
  it("round-trips text, including empty and non-ASCII, with a fresh IV each time", () => {
    const secrets = new SecretBox(newKey());
    for (const plaintext of ["Bearer eyJhbGciOi.abc.def", "", "clé secrète 🔑", JSON.stringify({ Authorization: "Bearer x", "X-Api-Key": "y" }), "x".repeat(100_000)]) {
      const sealed = secrets.encrypt(plaintext);
      expect(isEncrypted(sealed)).toBe(true);
      expect(sealed).not.toContain(plaintext || "\u0000");
      expect(secrets.decrypt(sealed)).toBe(plaintext);
    }
    const [first, second] = [secrets.encrypt("same"), secrets.encrypt("same")];
    expect(first).not.toBe(second);
    expect(first.split(":")[2]).not.toBe(second.split(":")[2]);
  });

  it("writes version, key id, IV, ciphertext and tag", () => {
    const secrets = new SecretBox(newKey());
    const [version, keyId, iv, ciphertext, tag] = secrets.encrypt("token").split(":");
    expect([version, keyId, Buffer.from(iv ?? "", "base64url").length, Buffer.from(ciphertext ?? "", "base64url").length, Buffer.from(tag ?? "", "base64url").length]).toEqual([
      "v1",
      secrets.keyId,
      12,
      5,
      16,
    ]);
  });

  it.each([
    [2, "the IV"],
    [3, "the ciphertext"],
    [4, "the tag"],
  ])("refuses a value whose %s was altered (part %s)", (part) => {
    const secrets = new SecretBox(newKey());
    const tampered = tamper(secrets.encrypt("Bearer secret-token"), part);
    expect(() => secrets.decrypt(tampered)).toThrow(SecretDecryptError);
    expect(() => secrets.decrypt(tampered)).toThrow("This secret could not be decrypted: it was altered, or it belongs to another record");
  });

  it("refuses a value relabelled with another key id, a truncated value, and plain text", () => {
    const old = new SecretBox(newKey());
    const secrets = new SecretBox(newKey(), [parseSecretKey(base64Key(), "test")]);
    const sealed = secrets.encrypt("token");
    const relabelled = sealed.replace(secrets.keyId, old.keyId);
    expect(() => secrets.decrypt(relabelled)).toThrow(/encrypted with a key that is not configured \(key id .{8}\); set SECRET_KEY_PREVIOUS/);
    expect(() => secrets.decrypt(sealed.slice(0, -2))).toThrow(/not an encrypted secret/);
    expect(() => secrets.decrypt("Bearer plain")).toThrow(/not an encrypted secret/);
    expect(() => secrets.decrypt(sealed.replace(/^v1:/, "v2:"))).toThrow("This secret is in format v2, which this version of the app cannot read");
  });

  it("binds a value to its context, so it cannot be moved to another record", () => {
    const secrets = new SecretBox(newKey());
    const sealed = secrets.encrypt("Bearer alice-token", "mcp-server:alice-1:headers");
    expect(secrets.decrypt(sealed, "mcp-server:alice-1:headers")).toBe("Bearer alice-token");
    expect(() => secrets.decrypt(sealed, "mcp-server:bob-7:headers")).toThrow(/altered, or it belongs to another record/);
    expect(() => secrets.decrypt(sealed)).toThrow(SecretDecryptError);
  });

  it("refuses a value from another key with the same id slot (a wrong key never decrypts)", () => {
    const sealed = new SecretBox(newKey()).encrypt("token");
    expect(() => new SecretBox(newKey()).decrypt(sealed)).toThrow(SecretDecryptError);
  });

  it("rotates: a value encrypted with the previous key decrypts after rotation and is re-encrypted with the current one", () => {
    const oldKey = base64Key();
    const newerKey = base64Key();
    const before = new SecretBox(parseSecretKey(oldKey, "SECRET_KEY"));
    const stored = before.encrypt("refresh-token-1", "oauth:42");

    const rotated = new SecretBox(parseSecretKey(newerKey, "SECRET_KEY"), [parseSecretKey(oldKey, "SECRET_KEY_PREVIOUS")]);
    expect(rotated.keyId).not.toBe(before.keyId);
    expect(rotated.decrypt(stored, "oauth:42")).toBe("refresh-token-1");
    expect(rotated.needsReencryption(stored)).toBe(true);
    const restored = rotated.reencrypt(stored, "oauth:42");
    expect(restored.split(":")[1]).toBe(rotated.keyId);
    expect(rotated.needsReencryption(restored)).toBe(false);
    expect(rotated.reencrypt(restored, "oauth:42")).toBe(restored);

    // Once SECRET_KEY_PREVIOUS is dropped, the re-encrypted value still reads, and the old one says what is missing.
    const after = new SecretBox(parseSecretKey(newerKey, "SECRET_KEY"));
    expect(after.decrypt(restored, "oauth:42")).toBe("refresh-token-1");
    expect(() => after.decrypt(stored, "oauth:42")).toThrow(`key id ${before.keyId}`);
  });

  it("never shows key material in logs or JSON", () => {
    const key = newKey();
    const secrets = new SecretBox(key);
    const shown = [JSON.stringify(secrets), inspect(secrets, { depth: 10, showHidden: true }), String(secrets)].join("\n");
    expect(shown).not.toContain(key.toString("base64"));
    expect(shown).not.toContain(key.toString("hex"));
    expect(JSON.parse(JSON.stringify(secrets))).toEqual({ keyId: secrets.keyId });
  });
});

describe("SECRET_KEY form", () => {
  it("takes 32 bytes as base64, URL-safe base64 or hex, with or without padding and surrounding space", () => {
    const key = newKey();
    for (const text of [key.toString("base64"), key.toString("base64").replace(/=$/, ""), key.toString("base64url"), key.toString("hex"), key.toString("hex").toUpperCase(), ` ${key.toString("base64")}\n`]) {
      expect(parseSecretKey(text, "SECRET_KEY").equals(key), text).toBe(true);
    }
  });

  it("refuses passphrases, other lengths and keys that are not random, saying how to make one", () => {
    for (const text of ["correct horse battery staple", randomBytes(16).toString("base64"), randomBytes(48).toString("base64"), randomBytes(31).toString("hex"), "0".repeat(64), "A".repeat(43) + "="]) {
      expect(() => parseSecretKey(text, "SECRET_KEY"), text).toThrow(SecretKeyError);
    }
    expect(() => parseSecretKey("hunter2", "SECRET_KEY")).toThrow(
      "SECRET_KEY must be 32 random bytes written as base64 (44 characters) or hex (64 characters), not a passphrase; generate one with: openssl rand -base64 32",
    );
    expect(() => parseSecretKey("0".repeat(64), "SECRET_KEY")).toThrow(/does not look random/);
  });
});

describe("loadSecretKeys", () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "secret-keys-"));
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it("uses SECRET_KEY when set, in every mode, and writes no key file", async () => {
    const key = base64Key();
    for (const authMode of ["none", "local", "oidc"] as const) {
      const keys = await loadSecretKeys({ env: { SECRET_KEY: key }, authMode, dataDir });
      expect(keys).toMatchObject({ available: true, source: "SECRET_KEY" });
      expect(box(keys).keyId).toBe(new SecretBox(parseSecretKey(key, "k")).keyId);
    }
    await expect(stat(join(dataDir, "secret.key"))).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("in AUTH_MODE=none without SECRET_KEY, generates a key once into DATA_DIR/secret.key with mode 0600 and reuses it", async () => {
    const nested = join(dataDir, "data");
    const first = await loadSecretKeys({ env: {}, authMode: "none", dataDir: nested });
    const keyFile = join(nested, "secret.key");
    expect(first).toMatchObject({ available: true, source: "key file", keyFile, notice: expect.stringContaining(`generated a key for stored secrets in ${keyFile}`) });
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    const text = await readFile(keyFile, "utf8");
    expect(parseSecretKey(text, "file")).toHaveLength(32);
    const sealed = box(first).encrypt("Bearer laptop-token");

    const second = await loadSecretKeys({ env: {}, authMode: "none", dataDir: nested });
    expect(second).not.toHaveProperty("notice");
    expect(box(second).keyId).toBe(box(first).keyId);
    expect(box(second).decrypt(sealed)).toBe("Bearer laptop-token");
    expect(await readFile(keyFile, "utf8")).toBe(text);
    // The file's content is a valid SECRET_KEY, for moving the same database to a shared server.
    expect(box(await loadSecretKeys({ env: { SECRET_KEY: text }, authMode: "local", dataDir })).decrypt(sealed)).toBe("Bearer laptop-token");
  });

  it("agrees on one key when several start at once on the same DATA_DIR", async () => {
    const loads = await Promise.all(Array.from({ length: 8 }, () => loadSecretKeys({ env: {}, authMode: "none", dataDir })));
    expect(new Set(loads.map((keys) => box(keys).keyId)).size).toBe(1);
    expect(loads.filter((keys) => keys.available && keys.notice?.startsWith("generated"))).toHaveLength(1);
  });

  it("tightens a key file others can read to 0600 and says so", async () => {
    const keyFile = join(dataDir, "secret.key");
    await writeFile(keyFile, base64Key());
    await chmod(keyFile, 0o644);
    const keys = await loadSecretKeys({ env: {}, authMode: "none", dataDir });
    expect(keys).toMatchObject({ available: true, notice: `${keyFile} was readable by other users (mode 0644); its mode is now 0600` });
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
  });

  it("refuses a key file that holds no key and leaves it in place", async () => {
    const keyFile = join(dataDir, "secret.key");
    await writeFile(keyFile, "not a key\n", { mode: 0o600 });
    await expect(loadSecretKeys({ env: {}, authMode: "none", dataDir })).rejects.toThrow(
      new RegExp(`^The key file ${keyFile.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")} does not hold a key .*Restore it from a backup`),
    );
    expect(await readFile(keyFile, "utf8")).toBe("not a key\n");
  });

  it("outside AUTH_MODE=none without SECRET_KEY, refuses to store secrets and says what to set", async () => {
    for (const authMode of ["local", "oidc"] as const) {
      const keys = await loadSecretKeys({ env: { SECRET_KEY: "  ", SECRET_KEY_PREVIOUS: base64Key() }, authMode, dataDir });
      expect(keys).toEqual({ available: false, message: "Set SECRET_KEY (32 random bytes, base64) to store MCP server headers and tokens; see the README" });
      expect(() => requireSecretBox(keys)).toThrow(SecretsUnavailableError);
      expect(() => requireSecretBox(keys)).toThrow(SECRET_KEY_REQUIRED);
    }
    await expect(stat(join(dataDir, "secret.key"))).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("rotates through SECRET_KEY_PREVIOUS, one key or a comma-separated list", async () => {
    const [oldest, old, current] = [base64Key(), base64Key(), base64Key()];
    const sealedOldest = box(await loadSecretKeys({ env: { SECRET_KEY: oldest }, authMode: "local", dataDir })).encrypt("a");
    const sealedOld = box(await loadSecretKeys({ env: { SECRET_KEY: old }, authMode: "local", dataDir })).encrypt("b");
    const rotated = box(await loadSecretKeys({ env: { SECRET_KEY: current, SECRET_KEY_PREVIOUS: `${old}, ${oldest}` }, authMode: "local", dataDir }));
    expect([rotated.decrypt(sealedOldest), rotated.decrypt(sealedOld)]).toEqual(["a", "b"]);
    expect(rotated.reencrypt(sealedOld).split(":")[1]).toBe(rotated.keyId);
  });

  it("refuses a malformed SECRET_KEY or SECRET_KEY_PREVIOUS at start, naming the variable", async () => {
    await expect(loadSecretKeys({ env: { SECRET_KEY: "my passphrase" }, authMode: "local", dataDir })).rejects.toThrow(/^SECRET_KEY must be 32 random bytes/);
    await expect(loadSecretKeys({ env: { SECRET_KEY: base64Key(), SECRET_KEY_PREVIOUS: `${base64Key()},short` }, authMode: "local", dataDir })).rejects.toThrow(
      /^SECRET_KEY_PREVIOUS \(entry 2\) must be 32 random bytes/,
    );
  });
});
