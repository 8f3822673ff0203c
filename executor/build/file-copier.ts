// The small files of a large direct copy (direct-write.ts), copied by a helper thread with plain synchronous calls.
// Through fs/promises each file took ~100 µs of the main thread (two opens, a stat, a read, a write, times, two
// closes: each call a promise, a FileHandle and a trip through the thread pool), more than the system calls
// themselves: a COPY of 50,000 small files kept the main thread busy for 5.5 s while it also had the layer tar to
// make and hash. Here the thread does the calls and hands back each file's content for the tar, in batches (one
// message and one transferred buffer per batch), and the main thread only makes the tar.
import { Worker } from 'node:worker_threads';

/**
 * One file to copy: its source (opened without following a symlink) and the new file to create, with the metadata
 * calls the caller decided (direct-write.ts' `metaCalls`): owner before mode (a chown clears setuid and setgid), each
 * only when given, then the times.
 */
export interface CopyFile {
  readonly source: string;
  readonly target: string;
  /** The permission bits it is created with (the umask applies). */
  readonly createMode: number;
  readonly chown: { readonly uid: number; readonly gid: number } | null;
  readonly chmod: number | null;
  /** Seconds, fractional allowed. */
  readonly mtime: number;
}

/** A directory to create (mode 0700: direct-write.ts sets its metadata at the end), in order with the files. */
export interface MakeDir {
  readonly dir: string;
}

/**
 * A copied file's content; 'big' when the source has grown past the limit since the walk (nothing was written);
 * 'dir' for a directory made.
 */
export type Copied = Uint8Array | 'big' | 'dir';

export interface FileCopier {
  /** Queues `job`; it is sent with its batch, when the batch is full or at the next flush. Jobs run in order. */
  copy(job: CopyFile | MakeDir): Promise<Copied>;
  /** Jobs queued so far, sent or not. */
  readonly queued: number;
  /** Jobs sent so far. */
  readonly sent: number;
  /** Sends the jobs queued so far. */
  flush(): void;
  /** Stops the thread (after the call in progress) and waits for it: nothing is created afterwards. */
  stop(): Promise<void>;
}

export interface FileCopierOptions {
  /** Sources bigger than this are answered 'big', for the caller to stream. */
  readonly limit: number;
}

// Plain CommonJS evaluated in the worker (no file to locate, works from sources and from dist). Each message is a
// batch; the answer holds every copied file's content in one buffer (transferred), or stops at the first failure
// with the error, after the contents of the files copied before it. The calls and their order are direct-write.ts'
// (materialise, fileMeta).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = fs.constants;
const { limit } = workerData;
function copy(file) {
  if (file.dir !== undefined) {
    fs.mkdirSync(file.dir, { mode: 0o700 });
    return 'dir';
  }
  const input = fs.openSync(file.source, O_RDONLY | O_NOFOLLOW);
  let content;
  try {
    if (fs.fstatSync(input).size > limit) return null;
    content = fs.readFileSync(input);
  } finally {
    fs.closeSync(input);
  }
  const out = fs.openSync(file.target, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, file.createMode);
  try {
    for (let done = 0; done < content.length; ) done += fs.writeSync(out, content, done);
    if (file.chown !== null) fs.fchownSync(out, file.chown.uid, file.chown.gid);
    if (file.chmod !== null) fs.fchmodSync(out, file.chmod);
    fs.futimesSync(out, file.mtime, file.mtime);
  } finally {
    fs.closeSync(out);
  }
  return content;
}
parentPort.on('message', ({ id, files }) => {
  const contents = [];
  let error;
  for (const file of files) {
    try {
      contents.push(copy(file));
    } catch (e) {
      error = { message: String((e && e.message) || e), code: e && e.code, errno: e && e.errno, syscall: e && e.syscall, path: e && e.path };
      break;
    }
  }
  const sizes = contents.map((content) => (content === null ? -1 : content === 'dir' ? -2 : content.length));
  const bytes = new Uint8Array(sizes.reduce((sum, size) => sum + Math.max(size, 0), 0));
  let at = 0;
  for (const content of contents) {
    if (typeof content === 'string' || content === null) continue;
    bytes.set(content, at);
    at += content.length;
  }
  parentPort.postMessage({ id, sizes, bytes, error }, [bytes.buffer]);
});
`;

/** Files per message: enough to make the message cost nothing per file, few enough to keep the tar fed. */
const batchFiles = 32;

interface Waiter {
  readonly resolve: (copied: Copied) => void;
  readonly reject: (error: Error) => void;
}

interface Reply {
  readonly id: number;
  readonly sizes: readonly number[];
  readonly bytes: Uint8Array;
  readonly error?: { message: string; code?: string; errno?: number; syscall?: string; path?: string };
}

export class FileCopierError extends Error {
  readonly code = 'E_FILE_COPIER';
}

/** Starts the thread; `stop` it when done, also after a failure. */
export function startFileCopier(options: FileCopierOptions): FileCopier {
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { ...options } });
  const sent = new Map<number, Waiter[]>();
  let queued: { files: (CopyFile | MakeDir)[]; waiters: Waiter[] } = { files: [], waiters: [] };
  let nextId = 0;
  let total = 0;
  let sentJobs = 0;
  let stopped: Error | undefined;
  const failAll = (error: Error) => {
    stopped ??= error;
    for (const waiters of sent.values()) for (const waiter of waiters) waiter.reject(error);
    sent.clear();
  };
  worker.on('message', (reply: Reply) => {
    const waiters = sent.get(reply.id) ?? [];
    sent.delete(reply.id);
    let at = 0;
    waiters.forEach((waiter, i) => {
      const size = reply.sizes[i];
      if (size === undefined) {
        waiter.reject(reply.error === undefined ? new FileCopierError('file not copied') : copyError(reply.error));
      } else if (size === -2) {
        waiter.resolve('dir');
      } else if (size < 0) {
        waiter.resolve('big');
      } else {
        waiter.resolve(reply.bytes.subarray(at, at + size));
        at += size;
      }
    });
  });
  worker.on('error', (error) => failAll(error));
  const exit = new Promise<void>((resolve) => {
    worker.once('exit', (code) => {
      failAll(new FileCopierError(`file copier stopped (exit code ${code})`));
      resolve();
    });
  });
  const flush = () => {
    if (queued.files.length === 0) return;
    const id = nextId++;
    sent.set(id, queued.waiters);
    worker.postMessage({ id, files: queued.files });
    sentJobs += queued.files.length;
    queued = { files: [], waiters: [] };
  };
  return {
    copy(job) {
      if (stopped !== undefined) return Promise.reject(stopped);
      const copied = new Promise<Copied>((resolve, reject) => {
        queued.files.push(job);
        queued.waiters.push({ resolve, reject });
      });
      total++;
      if (queued.files.length >= batchFiles) flush();
      return copied;
    },
    get queued() {
      return total;
    },
    get sent() {
      return sentJobs;
    },
    flush,
    async stop() {
      for (const waiter of queued.waiters) waiter.reject(new FileCopierError('file copier stopped'));
      queued = { files: [], waiters: [] };
      await worker.terminate();
      await exit;
    },
  };
}

/** The error of a failed call in the thread, as fs would have thrown it here (same message, code, errno, path). */
function copyError(error: NonNullable<Reply['error']>): Error {
  return Object.assign(new Error(error.message), {
    ...(error.code === undefined ? {} : { code: error.code }),
    ...(error.errno === undefined ? {} : { errno: error.errno }),
    ...(error.syscall === undefined ? {} : { syscall: error.syscall }),
    ...(error.path === undefined ? {} : { path: error.path }),
  });
}
