// The helper thread of the context walk and of bulk hashing: a job (context-job.ts) is split into chunks that
// this thread and the worker claim through shared counters, so neither waits for the other's share.
import { Worker } from 'node:worker_threads';
import { doChunk, type Job } from './context-job.js';
import { spareCore } from './spare-core.js';
import { park, unpark } from './worker-park.js';
import { WORKER_SOURCE } from './worker-source.js';

export { float64s, type Job, storeStats } from './context-job.js';
export { spareCore } from './spare-core.js';
export { FAILED, FIELDS, PARAMS } from './worker-source.js';

/** A job handed to the worker: chunks are claimed through `counters` ([next chunk, chunks done]). */
export interface Offered {
  readonly job: Job;
  readonly counters: Int32Array;
  readonly chunks: number;
  /** Resolves when the worker has no chunk of it left (undefined: no worker). */
  readonly idle: Promise<void> | undefined;
}

/** A typed array as the worker rebuilds it: its buffer, byte offset and element count. */
function view(a: Float64Array | Uint8Array): [ArrayBufferLike, number, number] {
  return [a.buffer, a.byteOffset, a.length];
}

export class ContextWorker {
  private nextId = 0;
  /** Jobs the worker still owes an answer for, by id. */
  private readonly owed = new Map<number, () => void>();
  /** False once the thread stopped (closed, or died). */
  private running = true;

  private constructor(private readonly worker: Worker) {
    // One listener for every job: a segmented stat job has dozens in flight, and a listener per
    // job set off Node's "possible EventEmitter memory leak" warning.
    worker.on('message', (id: number) => this.answered(id));
    worker.once('exit', () => {
      this.running = false;
      for (const resolve of this.owed.values()) resolve();
      this.owed.clear();
    });
    // After the listeners: adding a 'message' listener references the worker again, and an idle
    // worker must not keep the process alive. It is referenced only while it owes an answer.
    worker.unref();
  }

  private answered(id: number): void {
    const resolve = this.owed.get(id);
    if (resolve === undefined) return;
    this.owed.delete(id);
    if (this.owed.size === 0) this.worker.unref();
    resolve();
  }

  /**
   * A worker thread: the parked one (worker-park.ts) if there is one, else a new one, or null if
   * none can be started or, unless `force`d, no core is idle. Measured on 2 cores: with both busy
   * (load average 10), a new helper thread made a 50k-file snapshot 40% slower (it costs ~100 ms
   * of CPU to start and only competes for a core); with one idle it takes half of the work. A
   * parked thread has booted already: it only adds a thread to this process's share of the cores.
   */
  static start(force = false): ContextWorker | null {
    const parked = unpark<ContextWorker>();
    if (parked) return parked;
    if (!force && !spareCore()) return null;
    return ContextWorker.spawn();
  }

  /**
   * Starts a worker thread and parks it, if none is parked and a core is idle: called when a large
   * walk is coming (`StatCache.open` of a large cache), so the thread boots while the caller reads
   * the cache and lists the context, instead of from the middle of the listing.
   */
  static prestart(): void {
    const worker = unpark<ContextWorker>() ?? (spareCore() ? ContextWorker.spawn() : null);
    if (worker && !park(worker)) worker.close();
  }

  private static spawn(): ContextWorker | null {
    try {
      const worker = new Worker(WORKER_SOURCE, { eval: true });
      // A worker that dies leaves its claimed chunk undone; callers check and redo it.
      worker.on('error', () => {});
      return new ContextWorker(worker);
    } catch {
      return null;
    }
  }

  /**
   * Still running: it may be parked, and take a next job. It may still owe answers: a job's last
   * answer is often on its way when the caller has counted every chunk done, and is only read
   * when this thread next turns its event loop (after a next walk has begun, in a benchmark).
   */
  get usable(): boolean {
    return this.running;
  }

  /**
   * Runs `job` on this thread and, if given, the worker; resolves when every chunk is done or
   * abandoned. `callerWorks: false` leaves every chunk to the worker (tests).
   */
  static async run(job: Job, worker: ContextWorker | null, callerWorks = true): Promise<void> {
    const offered = ContextWorker.offer(job, worker);
    if (offered.idle && !callerWorks) return offered.idle;
    await ContextWorker.work(offered);
  }

  /** Hands `job` to the worker, if any, without taking part yet (see `work`, `claimAll`). */
  static offer(job: Job, worker: ContextWorker | null): Offered {
    const counters = new Int32Array(new SharedArrayBuffer(8)); // [next chunk, chunks done]
    const chunks = Math.ceil(job.paths.length / job.chunk);
    return { job, counters, chunks, idle: worker?.post(job, counters) };
  }

  /** This thread's part of an offered job, then waits for the worker's chunks. */
  static async work(offered: Offered): Promise<void> {
    const { job, counters, chunks } = offered;
    for (let c = Atomics.add(counters, 0, 1); c < chunks; c = Atomics.add(counters, 0, 1)) {
      doChunk(job, c);
      Atomics.add(counters, 1, 1);
      // Between chunks of a long job, let timers and progress output run.
      if ((job.kind === 'hash' || job.hashed) && c % 16 === 15)
        await new Promise<void>((resolve) => setImmediate(resolve));
    }
    await ContextWorker.settle(offered);
  }

  /**
   * Claims and does the chunks of an offered job the worker has not claimed, without yielding,
   * up to `max` of them; returns how many it did.
   */
  static claimAll(offered: Offered, max = Number.POSITIVE_INFINITY): number {
    const { job, counters, chunks } = offered;
    let done = 0;
    while (done < max) {
      const c = Atomics.add(counters, 0, 1);
      if (c >= chunks) break;
      doChunk(job, c);
      Atomics.add(counters, 1, 1);
      done++;
    }
    return done;
  }

  /** Resolves once no chunk of an offered job is running (or the worker died). */
  static async settle(offered: Offered): Promise<void> {
    // Only chunks the worker claimed can still be running.
    if (offered.idle && Atomics.load(offered.counters, 1) < offered.chunks) await offered.idle;
  }

  /** Stops the thread. */
  close(): void {
    this.running = false;
    void this.worker.terminate();
  }

  /** Done with the thread: parks it for the next walk (worker-park.ts), or stops it. */
  release(): void {
    if (!park(this)) this.close();
  }

  /** Hands `job` to the worker; resolves when it has no chunk left to claim (or has died). */
  private post(job: Job, counters: Int32Array): Promise<void> {
    const id = this.nextId++;
    const done = new Promise<void>((resolve) => this.owed.set(id, resolve));
    if (this.owed.size === 1) this.worker.ref();
    this.worker.postMessage({
      id,
      kind: job.kind,
      prefix: job.prefix,
      paths: job.paths.join('\0'),
      chunk: job.chunk,
      claim: counters.buffer,
      // Views (offset, length), not whole buffers: a stat segment is a slice of one arena.
      numbers: view(job.numbers),
      digests: job.digests && view(job.digests),
      reads: job.reads && view(job.reads),
      hashed: job.hashed && view(job.hashed),
      opened: job.opened,
      resetOwner: job.resetOwner === true,
    });
    return done;
  }
}
