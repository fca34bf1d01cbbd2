import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type SQLite from "better-sqlite3";

/**
 * WAL checkpoints off the event loop. SQLite normally checkpoints inside whichever commit pushes the write-ahead
 * log past 1,000 pages: that commit then copies the log into the database file and fsyncs it, and with a
 * synchronous driver (better-sqlite3) every request and every streaming answer waits meanwhile (10.6 ms for one
 * commit on the benchmark machine; more on slower disks). Here the app's connection never checkpoints, and a
 * worker thread with its own connection to the same file does, every `intervalMs` (PASSIVE: it never blocks the
 * app's reads or writes). If the worker fails, the app's connection checkpoints by itself again, so the log can
 * never grow without bound.
 */
export function startCheckpointer(sqlite: SQLite.Database, file: string, options: { intervalMs?: number; onError?: (error: Error) => void } = {}): Worker {
  const require = createRequire(import.meta.url);
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { module: require.resolve("better-sqlite3"), file, intervalMs: options.intervalMs ?? 1000 },
  });
  worker.unref();
  sqlite.pragma("wal_autocheckpoint = 0");
  let stopped = false;
  const fallBack = (error: Error) => {
    if (stopped) return;
    stopped = true;
    if (sqlite.open) sqlite.pragma("wal_autocheckpoint = 1000");
    options.onError?.(error);
  };
  worker.on("error", fallBack);
  worker.on("exit", (code) => fallBack(new Error(`the WAL checkpoint worker stopped (exit code ${code}); checkpoints are back on the app's connection`)));
  // Kysely's destroy() closes the connection: the worker closes its own first, then exits.
  const close = sqlite.close.bind(sqlite);
  sqlite.close = () => {
    stopped = true;
    worker.postMessage("close");
    return close();
  };
  return worker;
}

/** The worker: plain CommonJS, so it runs without the TypeScript loader. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.module);
const db = new Database(workerData.file);
db.pragma("busy_timeout = 5000");
const timer = setInterval(() => db.pragma("wal_checkpoint(PASSIVE)"), workerData.intervalMs);
parentPort.on("message", (message) => {
  if (message !== "close") return;
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;
