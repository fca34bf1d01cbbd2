import { createSecretKey, hkdfSync, type KeyObject } from "node:crypto";

/** SECRET_KEY (or a key file) is not a usable key; the message says what is expected and how to make one. */
export class SecretKeyError extends Error {
  override readonly name = "SecretKeyError";
}

export const GENERATE_HINT = "generate one with: openssl rand -base64 32";

/**
 * The expected form of SECRET_KEY: exactly 32 random bytes, written as base64 (44 characters, or 43 without the "=", standard
 * or URL-safe alphabet) or as hex (64 characters). Passphrases are refused rather than stretched: a key in an environment
 * variable needs no memorizing, and a short phrase would be the weak point of the encryption.
 */
export function parseSecretKey(value: string, source: string): Buffer {
  const text = value.trim();
  let key: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(text)) key = Buffer.from(text, "hex");
  else if (/^[A-Za-z0-9+/]{43}=?$/.test(text)) key = Buffer.from(text, "base64");
  else if (/^[A-Za-z0-9_-]{43}=?$/.test(text)) key = Buffer.from(text, "base64url");
  if (key?.length !== 32) {
    throw new SecretKeyError(`${source} must be 32 random bytes written as base64 (44 characters) or hex (64 characters), not a passphrase; ${GENERATE_HINT}`);
  }
  if (new Set(key).size < 16) throw new SecretKeyError(`${source} does not look random (too few distinct bytes); ${GENERATE_HINT}`);
  return key;
}

/** A parsed key: the AES-256-GCM key derived from it and a short public id that names it in each encrypted value. */
export interface DerivedKey {
  /** 8 characters of base64url; names the key without revealing anything usable about it. */
  readonly id: string;
  readonly aes: KeyObject;
}

const INFO_AES = "foundational-llm-chat/secret-box/v1/aes-256-gcm";
const INFO_ID = "foundational-llm-chat/secret-box/v1/key-id";

/** HKDF-SHA256 (RFC 5869) of the 32-byte key, with separate labels for the encryption key and the key id. */
export function deriveKey(master: Buffer): DerivedKey {
  const aes = Buffer.from(hkdfSync("sha256", master, Buffer.alloc(0), INFO_AES, 32));
  const id = Buffer.from(hkdfSync("sha256", master, Buffer.alloc(0), INFO_ID, 6)).toString("base64url");
  return { id, aes: createSecretKey(aes) };
}
