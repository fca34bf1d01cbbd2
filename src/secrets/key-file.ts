import { randomBytes } from "node:crypto";
import { chmod, link, mkdir, readFile, stat, unlink, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { parseSecretKey, SecretKeyError } from "./secret-key.js";

export interface KeyFile {
  readonly key: Buffer;
  /** This call wrote the file. */
  readonly created: boolean;
  /** Set when the file was readable by others and its mode was tightened to 0600. */
  readonly tightenedFrom?: number;
}

/**
 * The key in `path`, written there once (32 random bytes as base64, mode 0600) when the file does not exist yet. The file is
 * written aside and hard-linked into place, so a second process starting at the same moment reads one complete key, never a
 * half-written file, and never overwrites the first. An existing file that is not a key is an error: replacing it would lose
 * every secret encrypted with it.
 */
export async function readOrCreateKeyFile(path: string): Promise<KeyFile> {
  const existing = await readKeyFile(path);
  if (existing) return existing;
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const text = `${randomBytes(32).toString("base64")}\n`;
  const aside = `${path}.${randomBytes(6).toString("hex")}.tmp`;
  await writeFile(aside, text, { mode: 0o600, flag: "wx" });
  try {
    await chmod(aside, 0o600);
    await link(aside, path);
    return { key: parseSecretKey(text, path), created: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return (await readKeyFile(path)) ?? raise(path);
    if (!["EPERM", "ENOTSUP", "EXDEV", "ENOSYS"].includes((error as NodeJS.ErrnoException).code ?? "")) throw error;
    // A file system without hard links: an exclusive create, which still never overwrites another process's key.
    try {
      await writeFile(path, text, { mode: 0o600, flag: "wx" });
      return { key: parseSecretKey(text, path), created: true };
    } catch (fallbackError) {
      if ((fallbackError as NodeJS.ErrnoException).code === "EEXIST") return (await readKeyFile(path)) ?? raise(path);
      throw fallbackError;
    }
  } finally {
    await unlink(aside).catch(() => undefined);
  }
}

async function readKeyFile(path: string): Promise<KeyFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  let key: Buffer;
  try {
    key = parseSecretKey(text, `The key file ${path}`);
  } catch {
    throw new SecretKeyError(
      `The key file ${path} does not hold a key (32 bytes as base64). Restore it from a backup, or move it away to start with a new ` +
        "key (MCP server headers and tokens stored with the old one are then lost and must be entered again), or set SECRET_KEY",
    );
  }
  const mode = (await stat(path)).mode & 0o777;
  if ((mode & 0o077) === 0) return { key, created: false };
  await chmod(path, 0o600);
  return { key, created: false, tightenedFrom: mode };
}

function raise(path: string): never {
  throw new SecretKeyError(`The key file ${path} disappeared while it was being created; start again`);
}
