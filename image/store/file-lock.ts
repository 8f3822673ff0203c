import { link, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { processAlive, tempPathFor } from './atomic-file.js';

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

/**
 * Creates the lock file holding our pid, atomically: the pid is written to a temp file first and linked into
 * place (link fails with EEXIST like O_EXCL). A lock file is therefore never seen empty, so a holder killed
 * while taking the lock cannot leave a lock nobody may break.
 */
async function tryCreate(lockPath: string): Promise<boolean> {
  const temp = tempPathFor(lockPath); // swept by prune if we die before the unlink below
  await writeFile(temp, `${process.pid}\n`, { flag: 'wx', mode: 0o644 });
  try {
    await link(temp, lockPath);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await unlink(temp).catch(() => {});
  }
}

/** An unreadable owner (an empty file left by an older tsbuild killed while creating it) is stale after this. */
const unownedStaleMs = 10_000;

interface LockOwner {
  /** The holder's pid; undefined when the file does not hold one. */
  readonly pid: number | undefined;
  readonly ageMs: number;
}

async function lockOwner(lockPath: string): Promise<LockOwner | undefined> {
  try {
    const [text, info] = await Promise.all([readFile(lockPath, 'utf8'), stat(lockPath)]);
    const pid = /^\d+\n$/.test(text) ? Number(text.trim()) : undefined;
    return { pid, ageMs: Date.now() - info.mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function isStale(owner: LockOwner): boolean {
  return owner.pid === undefined ? owner.ageMs > unownedStaleMs : !processAlive(owner.pid);
}

/**
 * Removes a lock whose owner died. Breaking is itself guarded by `<lock>.break` (taken like a lock), and the owner
 * is re-read under it, so two processes can never both break the same lock and delete a fresh one by mistake.
 */
async function breakIfStale(lockPath: string): Promise<void> {
  const owner = await lockOwner(lockPath);
  if (owner === undefined || !isStale(owner)) return;
  const breaker = `${lockPath}.break`;
  if (!(await tryCreate(breaker))) {
    // A breaker that died mid-break leaves its file behind; it only ever lives for a moment.
    const holder = await lockOwner(breaker);
    if (holder !== undefined && (holder.ageMs > unownedStaleMs || isStale(holder))) {
      await unlink(breaker).catch(() => {});
    }
    return;
  }
  try {
    const again = await lockOwner(lockPath);
    if (again !== undefined && again.pid === owner.pid && isStale(again)) await unlink(lockPath).catch(() => {});
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
