import { open, readFile, stat, unlink } from 'node:fs/promises';
import { processAlive } from './atomic-file.js';

/** Raised when a lock cannot be taken in time. */
export class LockTimeoutError extends Error {
  readonly code = 'ELOCKTIMEOUT';
}

export interface LockOptions {
  /** Give up after this long (default 120 s). */
  timeoutMs?: number;
}

// Serialises holders inside this process: the lock file alone cannot tell two callers with one pid apart.
const inProcess = new Map<string, Promise<unknown>>();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function tryCreate(lockPath: string): Promise<boolean> {
  try {
    const handle = await open(lockPath, 'wx', 0o644);
    try {
      await handle.writeFile(`${process.pid}\n`);
    } finally {
      await handle.close();
    }
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

async function ownerPid(lockPath: string): Promise<number | undefined> {
  try {
    const text = await readFile(lockPath, 'utf8');
    // A lock file being written right now can be empty: treat it as held.
    return /^\d+\n$/.test(text) ? Number(text.trim()) : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Removes a lock whose owner died. Breaking is itself guarded by `<lock>.break` (O_EXCL), and the owner is
 * re-read under it, so two processes can never both break the same lock and delete a fresh one by mistake.
 */
async function breakIfStale(lockPath: string): Promise<void> {
  const pid = await ownerPid(lockPath);
  if (pid === undefined || processAlive(pid)) return;
  const breaker = `${lockPath}.break`;
  if (!(await tryCreate(breaker))) {
    // A breaker that died mid-break leaves its file behind; it only ever lives for a moment.
    const age = await stat(breaker).then(
      (s) => Date.now() - s.mtimeMs,
      () => 0,
    );
    const breakerPid = await ownerPid(breaker);
    if (age > 10_000 || (breakerPid !== undefined && !processAlive(breakerPid))) await unlink(breaker).catch(() => {});
    return;
  }
  try {
    const again = await ownerPid(lockPath);
    if (again === pid) await unlink(lockPath).catch(() => {});
  } finally {
    await unlink(breaker).catch(() => {});
  }
}

async function acquire(lockPath: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let delay = 2;
  for (;;) {
    if (await tryCreate(lockPath)) return;
    await breakIfStale(lockPath);
    if (Date.now() > deadline) throw new LockTimeoutError(`timed out waiting for lock ${lockPath}`);
    await sleep(delay + Math.random() * delay);
    delay = Math.min(delay * 2, 50);
  }
}

/**
 * Runs `fn` holding the lock file `lockPath` (created with O_EXCL, holding our pid). Locks are for one
 * mutation at a time: hold them for milliseconds, never for a whole build.
 */
export async function withFileLock<T>(lockPath: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const previous = inProcess.get(lockPath) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((resolve) => {
    release = resolve;
  });
  const chained = previous.then(() => mine);
  inProcess.set(lockPath, chained);
  await previous.catch(() => {});
  try {
    await acquire(lockPath, options.timeoutMs ?? 120_000);
    try {
      return await fn();
    } finally {
      await unlink(lockPath).catch(() => {});
    }
  } finally {
    release();
    if (inProcess.get(lockPath) === chained) inProcess.delete(lockPath);
  }
}
