// Parallel file hashing in worker threads. Each worker reads files synchronously into one reused
// buffer and hashes them (header first), which on this hardware is several times faster than
// tens of thousands of promise-based reads; batches amortise the message round trips. Workers are
// unref'd and stop after a short idle time, so they never keep the process alive.

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { hashFile, hashFileSource, mainHashFileIo } from './hash-file.js';

// Plain CommonJS evaluated in the worker (no file to locate, works from sources and from dist).
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
${hashFileSource}
const buf = Buffer.allocUnsafe(1 << 20);
parentPort.on('message', (batch) => {
  const n = batch.paths.length;
  let hex = '';
  const reads = new Float64Array(n);
  const errors = [];
  for (let i = 0; i < n; i++) {
    try {
      const hashed = hashFile(hashFileIo, batch.paths[i], batch.headers[i], batch.sizes[i], buf);
      hex += hashed.hex;
      reads[i] = hashed.read;
    } catch (e) {
      hex += '-'.repeat(64);
      errors.push({ i, message: String(e && e.message), code: e && e.code });
    }
  }
  parentPort.postMessage({ id: batch.id, hex, reads, errors });
});
`;

export interface HashJobResult {
  readonly digest: string;
  /** Bytes of content read (to detect a file that changed size since its lstat). */
  readonly read: number;
}

/** Called once per job: an error, or the result. */
export type HashCallback = (err: Error | null, result?: HashJobResult) => void;

interface Job {
  readonly path: string;
  /** The entry header; a latin1/utf8 string is cheaper to post than bytes. */
  readonly header: string | Uint8Array;
  readonly size: number;
  readonly done: HashCallback;
}

interface WorkerReply {
  readonly id: number;
  /** 64 hex characters per job, in order (dashes for a failed job). */
  readonly hex: string;
  readonly reads: Float64Array;
  readonly errors: readonly { i: number; message: string; code?: string }[];
}

interface WorkerSlot {
  readonly worker: Worker;
  inFlight: number;
}

const MAX_BATCH_FILES = 256;
const MAX_BATCH_BYTES = 16 << 20;
const IDLE_MS = 1000;
/**
 * Until this much was hashed, files are hashed on the main thread: a worker takes 50-150 ms to boot on the
 * project's VMs, against well under a millisecond for the one changed file of a typical rebuild.
 */
const INLINE_BUDGET_FILES = 256;
const INLINE_BUDGET_BYTES = 4 << 20;

export class HashPool {
  private readonly slots: WorkerSlot[] = [];
  private readonly batches = new Map<number, Job[]>();
  private queue: Job[] = [];
  private queueHead = 0;
  private nextId = 0;
  private flushScheduled = false;
  private idleTimer: NodeJS.Timeout | undefined;
  private inlineFiles = 0;
  private inlineBytes = 0;
  private inlineBuffer: Buffer | undefined;

  // One core is left to the main thread (walk, bookkeeping): on 2 cores one worker measured
  // faster than two, which only contended with the walk.
  constructor(private readonly size = Math.max(1, Math.min(4, availableParallelism() - 1))) {}

  /** Worker threads running now (none until the main thread's inline budget is spent). */
  get workerCount(): number {
    return this.slots.length;
  }

  /** Queues one file; `done` is called from the event loop when its digest is known. */
  hash(path: string, header: string | Uint8Array, size: number, done: HashCallback): void {
    this.queue.push({ path, header, size, done });
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        this.dispatch();
      });
    }
  }

  /** Stops the workers now (they are restarted on demand). */
  close(): void {
    clearTimeout(this.idleTimer);
    for (const s of this.slots) void s.worker.terminate();
    this.slots.length = 0;
    const closed = new Error('hash pool closed');
    for (const jobs of this.batches.values()) for (const j of jobs) j.done(closed);
    this.batches.clear();
    for (let i = this.queueHead; i < this.queue.length; i++) this.queue[i].done(closed);
    this.queue = [];
    this.queueHead = 0;
  }

  private dispatch(): void {
    clearTimeout(this.idleTimer);
    if (this.slots.length === 0 && this.fitsInlineBudget()) {
      this.hashInline();
      return;
    }
    while (this.queueHead < this.queue.length) {
      const slot = this.freeSlot();
      if (!slot) return;
      let bytes = 0;
      let end = this.queueHead;
      while (end < this.queue.length && end - this.queueHead < MAX_BATCH_FILES && bytes < MAX_BATCH_BYTES) {
        bytes += this.queue[end++].size;
      }
      const jobs = this.queue.slice(this.queueHead, end);
      this.queueHead = end;
      if (this.queueHead === this.queue.length) {
        this.queue = [];
        this.queueHead = 0;
      }
      const id = this.nextId++;
      this.batches.set(id, jobs);
      // Referenced only while it owes an answer: an idle worker must not keep the process alive.
      if (slot.inFlight++ === 0) slot.worker.ref();
      // Columnar messages: cheaper to clone than one object per file.
      slot.worker.postMessage({
        id,
        paths: jobs.map((j) => j.path),
        headers: jobs.map((j) => j.header),
        sizes: jobs.map((j) => j.size),
      });
    }
    if (this.batches.size === 0) this.scheduleIdleStop();
  }

  /** True when the queued files, with those hashed inline so far, stay within the main thread's budget. */
  private fitsInlineBudget(): boolean {
    let files = this.inlineFiles;
    let bytes = this.inlineBytes;
    for (let i = this.queueHead; i < this.queue.length; i++) {
      files++;
      bytes += this.queue[i].size;
      if (files > INLINE_BUDGET_FILES || bytes > INLINE_BUDGET_BYTES) return false;
    }
    return true;
  }

  /** Hashes the queued files here, exactly as a worker does (WORKER_SOURCE): header, then `size` bytes. */
  private hashInline(): void {
    const jobs = this.queue.slice(this.queueHead);
    this.queue = [];
    this.queueHead = 0;
    this.inlineBuffer ??= Buffer.allocUnsafe(1 << 20);
    const buf = this.inlineBuffer;
    for (const job of jobs) {
      this.inlineFiles++;
      this.inlineBytes += job.size;
      let result: HashJobResult;
      try {
        const { hex, read } = hashFile(mainHashFileIo, job.path, job.header, job.size, buf);
        result = { digest: `sha256:${hex}`, read };
      } catch (error) {
        job.done(error as Error);
        continue;
      }
      job.done(null, result);
    }
  }

  /** A worker with fewer than two batches in flight (two keeps it busy between round trips). */
  private freeSlot(): WorkerSlot | undefined {
    let best = this.slots.reduce<WorkerSlot | undefined>((b, s) => (!b || s.inFlight < b.inFlight ? s : b), undefined);
    if ((!best || best.inFlight > 0) && this.slots.length < this.size) best = this.spawn();
    return best && best.inFlight < 2 ? best : undefined;
  }

  private spawn(): WorkerSlot {
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    const slot: WorkerSlot = { worker, inFlight: 0 };
    worker.on('message', (msg: WorkerReply) => {
      if (--slot.inFlight === 0) worker.unref();
      const jobs = this.batches.get(msg.id) ?? [];
      this.batches.delete(msg.id);
      const failed = new Map(msg.errors.map((e) => [e.i, e]));
      jobs.forEach((job, i) => {
        const err = failed.get(i);
        if (err) job.done(Object.assign(new Error(err.message), err.code ? { code: err.code } : {}));
        else job.done(null, { digest: 'sha256:' + msg.hex.slice(i * 64, i * 64 + 64), read: msg.reads[i] });
      });
      this.dispatch();
    });
    worker.on('error', (err) => {
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots.splice(i, 1);
      for (const [id, jobs] of this.batches) {
        this.batches.delete(id);
        for (const j of jobs) j.done(err);
      }
    });
    // After the listeners: adding a 'message' listener references the worker again, and a referenced
    // idle worker kept every build that hashed a file alive until the idle timer (1 s) stopped it.
    worker.unref();
    this.slots.push(slot);
    return slot;
  }

  private scheduleIdleStop(): void {
    this.idleTimer = setTimeout(() => {
      if (this.batches.size === 0 && this.queueHead >= this.queue.length) this.close();
    }, IDLE_MS);
    this.idleTimer.unref();
  }
}
