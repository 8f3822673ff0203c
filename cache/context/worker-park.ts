// One idle context worker thread kept for the next walk or bulk hash of this process. A thread
// costs 100-200 ms of wall time and ~1,800 fresh pages (~50 ms of CPU on the project's VMs) to
// boot, longer than the lstat work it then takes over in a warm walk; a walk that finds one booted
// (started by `StatCache.open` for a large cache, or left by the previous snapshot) uses it at once.
// A parked thread is unreferenced once the answers it owes are in (it never keeps the process
// alive longer than those take), and stops after `PARK_MS`.

/** What parking needs of a worker (context-worker.ts `ContextWorker`). */
export interface Parkable {
  /** Still running (it may owe answers to jobs whose every chunk is done). */
  readonly usable: boolean;
  /** Stops the thread. */
  close(): void;
}

/** How long a parked thread waits for a job before it stops. */
export const PARK_MS = 2000;

let parked: Parkable | null = null;
let timer: ReturnType<typeof setTimeout> | undefined;

/** Parks `worker` if it is usable and no other is parked; false if the caller must stop it instead. */
export function park(worker: Parkable): boolean {
  if (!worker.usable || (parked !== null && parked !== worker)) return false;
  parked = worker;
  clearTimeout(timer);
  timer = setTimeout(() => {
    if (parked !== worker) return;
    parked = null;
    worker.close();
  }, PARK_MS);
  timer.unref();
  return true;
}

/** The parked worker, now the caller's (null if none, or if it died while parked). */
export function unpark<W extends Parkable>(): W | null {
  const worker = parked;
  parked = null;
  clearTimeout(timer);
  if (worker === null) return null;
  if (worker.usable) return worker as W;
  worker.close();
  return null;
}

/** Whether a worker is parked (tests). */
export function hasParked(): boolean {
  return parked !== null;
}
