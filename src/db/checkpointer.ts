import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** How often the WAL is copied back into the database file, off any request's commit. */
export const CHECKPOINT_EVERY_MS = 1_000;
/** After a checkpoint resets the WAL, its file is truncated back to this size. */
export const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

/**
 * The checkpointing thread. Plain JavaScript evaluated by the worker, so the same code runs under tsx, vitest and
 * the bundle in dist/ without a second entry point to build. Its own connection runs a PASSIVE checkpoint (it never
 * waits for readers or blocks writers) once a period; busy (another checkpoint, a closing handle) just waits for
 * the next. A 'close' message closes the connection and lets the thread end.
 */
const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const database = new Database(workerData.path, { fileMustExist: true });
database.pragma('journal_size_limit = ' + workerData.walSizeLimit);
const timer = setInterval(() => {
  try {
    database.pragma('wal_checkpoint(PASSIVE)');
  } catch {}
}, workerData.everyMs);
parentPort.once('message', () => {
  clearInterval(timer);
  database.close();
  parentPort.close();
});
`;

export interface Checkpointer {
  /** Stops the thread after any checkpoint under way, and closes its connection. */
  stop(): Promise<void>;
}

/**
 * Copies the WAL into the database file once a period from a thread of its own. better-sqlite3 is synchronous, and
 * a checkpoint ends in an fsync of the database file: run on the event loop, it held every request for tens of
 * milliseconds once a second on a slow disk (7% of the time under invitation load; a tenth of it CPU). The thread
 * starts after one period, when the first checkpoint was due anyway, so a start never waits for it, and it never
 * keeps a process (a CLI command, a test) alive.
 */
export function startCheckpointer(path: string): Checkpointer {
  let worker: Worker | undefined;
  let ended: Promise<void> = Promise.resolve();
  const starting = setTimeout(() => {
    worker = new Worker(THREAD_SOURCE, {
      eval: true,
      workerData: {
        path,
        driver: createRequire(import.meta.url).resolve('better-sqlite3'),
        everyMs: CHECKPOINT_EVERY_MS,
        walSizeLimit: WAL_SIZE_LIMIT_BYTES,
      },
    });
    const thread = worker;
    ended = new Promise((resolve) => thread.once('exit', () => resolve()));
    thread.unref();
    // A thread that cannot open the file (removed under it) leaves the automatic checkpoint as the backstop.
    thread.on('error', () => {});
  }, CHECKPOINT_EVERY_MS);
  starting.unref();
  return {
    async stop() {
      clearTimeout(starting);
      worker?.postMessage('close');
      await ended;
    },
  };
}
