import { once } from "node:events";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { startCheckpointer } from "./sqlite-checkpointer.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function walDatabase(): { sqlite: SQLite.Database; file: string } {
  const dir = mkdtempSync(join(tmpdir(), "checkpointer-"));
  dirs.push(dir);
  const file = join(dir, "chat.sqlite");
  const sqlite = new SQLite(file);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = NORMAL");
  sqlite.exec("CREATE TABLE t (body TEXT)");
  return { sqlite, file };
}

/** 2 MB of rows in one commit: about 500 pages in the write-ahead log, none yet in the database file. */
function write(sqlite: SQLite.Database): void {
  const insert = sqlite.prepare("INSERT INTO t (body) VALUES (?)");
  sqlite.transaction(() => {
    for (let i = 0; i < 2000; i++) insert.run("x".repeat(1000));
  })();
}

async function until(condition: () => boolean, ms = 5000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 25))) if (condition()) return true;
  return condition();
}

describe("WAL checkpoints in a worker", () => {
  it("leaves the app's connection without checkpoints and copies the log into the database file from the worker", async () => {
    const { sqlite, file } = walDatabase();
    const worker = startCheckpointer(sqlite, file, { intervalMs: 50 });
    expect(sqlite.pragma("wal_autocheckpoint", { simple: true })).toBe(0);
    const sizeBefore = statSync(file).size;
    write(sqlite);
    // The app's connection cannot have done it (its autocheckpoint is off): the worker did.
    expect(await until(() => statSync(file).size > sizeBefore + 1_000_000)).toBe(true);
    expect(sqlite.prepare("SELECT count(*) AS n FROM t").get()).toEqual({ n: 2000 });
    const exited = once(worker, "exit");
    sqlite.close();
    // Closing the app's connection ends the worker too (no thread is left behind), and nothing written is lost.
    await exited;
    const reopened = new SQLite(file);
    expect(reopened.prepare("SELECT count(*) AS n FROM t").get()).toEqual({ n: 2000 });
    reopened.close();
  });

  it("gives checkpoints back to the app's connection, and says so, when the worker cannot work", async () => {
    const { sqlite, file } = walDatabase();
    const errors: Error[] = [];
    // The worker cannot open a directory as its database: it fails at once.
    startCheckpointer(sqlite, join(file, ".."), { onError: (error) => errors.push(error) });
    expect(await until(() => errors.length > 0)).toBe(true);
    expect(sqlite.pragma("wal_autocheckpoint", { simple: true })).toBe(1000);
    sqlite.close();
  });

  it("without the worker, the same commit stays in the log (the check above would fail)", async () => {
    const { sqlite, file } = walDatabase();
    sqlite.pragma("wal_autocheckpoint = 0");
    const sizeBefore = statSync(file).size;
    write(sqlite);
    expect(await until(() => statSync(file).size > sizeBefore + 1_000_000, 300)).toBe(false);
    sqlite.close();
  });
});
