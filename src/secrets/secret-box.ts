import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { join } from "node:path";
import type { AuthMode } from "../auth/mode.js";
import { readOrCreateKeyFile } from "./key-file.js";
import { deriveKey, parseSecretKey, type DerivedKey } from "./secret-key.js";

/** An encrypted value could not be read back; the message says why without showing the value. */
export class SecretDecryptError extends Error {
  override readonly name = "SecretDecryptError";
}

/** Secrets cannot be stored: no key is configured (outside AUTH_MODE=none without SECRET_KEY). */
export class SecretsUnavailableError extends Error {
  override readonly name = "SecretsUnavailableError";
}

const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * AES-256-GCM for the secrets the app stores (MCP server headers, OAuth tokens). An encrypted value is text:
 * `v1:<key id>:<iv>:<ciphertext>:<tag>` (base64url parts, a fresh random 12-byte IV each time, a 16-byte tag). The version,
 * the key id and an optional `context` (say "mcp-server:<id>:headers") are authenticated, so a value moved to another record,
 * or relabelled with another key id, fails to decrypt instead of being read as that record's secret. The key id picks the key:
 * the current one, or one of the previous keys kept for rotation.
 */
export class SecretBox {
  readonly #current: DerivedKey;
  readonly #byId: ReadonlyMap<string, DerivedKey>;

  /** `current` encrypts; `current` and `previous` decrypt (32-byte keys as `parseSecretKey` returns them). */
  constructor(current: Buffer, previous: readonly Buffer[] = []) {
    this.#current = deriveKey(current);
    const keys = [this.#current, ...previous.map(deriveKey)];
    this.#byId = new Map(keys.reverse().map((key) => [key.id, key]));
  }

  /** The id of the key new values are encrypted with (public: it is in every value). */
  get keyId(): string {
    return this.#current.id;
  }

  encrypt(plaintext: string, context = ""): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.#current.aes, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(additionalData(this.#current.id, context));
    const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    return [VERSION, this.#current.id, iv.toString("base64url"), ciphertext.toString("base64url"), cipher.getAuthTag().toString("base64url")].join(":");
  }

  decrypt(sealed: string, context = ""): string {
    const { keyId, iv, ciphertext, tag } = parseSealed(sealed);
    const key = this.#byId.get(keyId);
    if (!key) {
      throw new SecretDecryptError(
        `This secret was encrypted with a key that is not configured (key id ${keyId}); set SECRET_KEY_PREVIOUS to that key, or enter the secret again`,
      );
    }
    const decipher = createDecipheriv("aes-256-gcm", key.aes, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(additionalData(keyId, context));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString("utf8");
    } catch {
      throw new SecretDecryptError("This secret could not be decrypted: it was altered, or it belongs to another record");
    }
  }

  /** Whether `sealed` was encrypted with a key other than the current one (re-encrypt it after a rotation). */
  needsReencryption(sealed: string): boolean {
    return parseSealed(sealed).keyId !== this.#current.id;
  }

  /** `sealed` encrypted with the current key (itself when it already is). */
  reencrypt(sealed: string, context = ""): string {
    return this.needsReencryption(sealed) ? this.encrypt(this.decrypt(sealed, context), context) : sealed;
  }

  /** Logs and JSON show the key id, never key material. */
  toJSON(): { keyId: string } {
    return { keyId: this.keyId };
  }
}

/** Whether a stored value has the shape of an encrypted value (not whether it decrypts). */
export function isEncrypted(value: string): boolean {
  return /^v1:[A-Za-z0-9_-]{8}:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]*:[A-Za-z0-9_-]{22}$/.test(value);
}

function additionalData(keyId: string, context: string): Buffer {
  return Buffer.from(`${VERSION}:${keyId}:${context}`, "utf8");
}

function parseSealed(sealed: string): { keyId: string; iv: Buffer; ciphertext: Buffer; tag: Buffer } {
  const parts = sealed.split(":");
  if (parts.length === 5 && parts[0] !== VERSION && /^v\d+$/.test(parts[0] ?? "")) {
    throw new SecretDecryptError(`This secret is in format ${parts[0]}, which this version of the app cannot read`);
  }
  if (!isEncrypted(sealed)) throw new SecretDecryptError("This is not an encrypted secret (expected v1:<key id>:<iv>:<ciphertext>:<tag>)");
  const [, keyId = "", iv = "", ciphertext = "", tag = ""] = parts;
  return { keyId, iv: Buffer.from(iv, "base64url"), ciphertext: Buffer.from(ciphertext, "base64url"), tag: Buffer.from(tag, "base64url") };
}

export const SECRET_KEY_FILE = "secret.key";

export const SECRET_KEY_REQUIRED = "Set SECRET_KEY (32 random bytes, base64) to store MCP server headers and tokens; see the README";

export type SecretKeys =
  | {
      readonly available: true;
      readonly box: SecretBox;
      /** Where the current key came from. */
      readonly source: "SECRET_KEY" | "key file";
      /** The key file, when the key came from one. */
      readonly keyFile?: string;
      /** What happened to the key file, for the start-up log. */
      readonly notice?: string;
    }
  | { readonly available: false; readonly message: string };

export interface LoadSecretKeysOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly authMode: AuthMode;
  readonly dataDir: string;
}

/**
 * The keys for stored secrets. SECRET_KEY when set (see `parseSecretKey` for its form); SECRET_KEY_PREVIOUS, a comma-separated
 * list in the same form, decrypts values from before a rotation. Without SECRET_KEY: in AUTH_MODE=none (one person on their own
 * machine) a key generated once into DATA_DIR/secret.key (mode 0600) and reused; on a shared server, no key, so storing a secret
 * is refused with SECRET_KEY_REQUIRED. A malformed key is a SecretKeyError (the server should not start with it).
 */
export async function loadSecretKeys(options: LoadSecretKeysOptions): Promise<SecretKeys> {
  const previous = (options.env["SECRET_KEY_PREVIOUS"] ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry, index, all) => parseSecretKey(entry, all.length > 1 ? `SECRET_KEY_PREVIOUS (entry ${index + 1})` : "SECRET_KEY_PREVIOUS"));
  const configured = options.env["SECRET_KEY"]?.trim();
  if (configured) return { available: true, box: new SecretBox(parseSecretKey(configured, "SECRET_KEY"), previous), source: "SECRET_KEY" };
  if (options.authMode !== "none") return { available: false, message: SECRET_KEY_REQUIRED };
  const keyFile = join(options.dataDir, SECRET_KEY_FILE);
  const file = await readOrCreateKeyFile(keyFile);
  const notice = file.created
    ? `generated a key for stored secrets in ${keyFile} (mode 0600); keep it with the database, or set SECRET_KEY`
    : file.tightenedFrom !== undefined
      ? `${keyFile} was readable by other users (mode ${file.tightenedFrom.toString(8).padStart(4, "0")}); its mode is now 0600`
      : undefined;
  return { available: true, box: new SecretBox(file.key, previous), source: "key file", keyFile, ...(notice ? { notice } : {}) };
}

/** The box, or a SecretsUnavailableError carrying the message to show (for the route that stores a header or token). */
export function requireSecretBox(keys: SecretKeys): SecretBox {
  if (keys.available) return keys.box;
  throw new SecretsUnavailableError(keys.message);
}
