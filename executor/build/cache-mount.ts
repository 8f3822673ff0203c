// RUN --mount=type=cache: a persistent directory in the store per cache identity (id, uid, gid,
// mode), with BuildKit's sharing modes. `shared`: every step uses the directory at once. `locked`:
// one step at a time holds it and the others wait, also in other tsbuild processes. `private`: a
// step takes the first instance of the cache nobody holds, and a new one when all are held (empty,
// or seeded from `from=`, as BuildKit makes it).
// Holding is a flock(1) lock kept by a helper process that lives as long as our pipe to it: the
// kernel drops the lock when tsbuild exits, however it exits, so a crash never leaves a cache locked.
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, chown, mkdir, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RunMount } from '../../planner/index.js';

export interface CacheLease {
  readonly dir: string;
  release(): Promise<void>;
}

/** `from=`/`source=`: what a new instance of the cache starts with (BuildKit keys such a cache by its source too). */
export interface CacheSeed {
  /** Names the source's content (its layers and path). */
  readonly identity: string;
  /** Fills a new, empty directory with the source. */
  populate(dir: string): Promise<void>;
}

export class CacheMountError extends Error {
  readonly code = 'E_CACHE_MOUNT';
}

/** More private instances than this means something leaks them. */
const maxInstances = 64;

/** The directory a step's cache mount uses, held as its sharing mode asks until `release`. */
export async function acquireCacheDir(
  cacheRoot: string,
  spec: RunMount,
  signal?: AbortSignal,
  seed?: CacheSeed,
): Promise<CacheLease> {
  const id = spec.options.id ?? spec.target;
  // What a cache starts with (owner and mode, or the source it is seeded from) is part of its identity.
  const start =
    seed === undefined
      ? [spec.options.uid ?? '0', spec.options.gid ?? '0', spec.options.mode ?? '0755']
      : ['from', seed.identity];
  const identity = [id, ...start].join('\0');
  const base = path.join(cacheRoot, 'mounts', createHash('sha256').update(identity).digest('hex').slice(0, 16));
  const sharing = spec.options.sharing ?? 'shared';
  await mkdir(path.dirname(base), { recursive: true });
  if (sharing === 'locked') {
    const release = await holdLock(`${base}.lock`, true, signal);
    if (release === null) throw new CacheMountError('build canceled');
    return leased(base, spec, seed, release);
  }
  if (sharing === 'private') {
    for (let n = 0; n < maxInstances; n++) {
      const dir = n === 0 ? base : `${base}-${n}`;
      const release = await holdLock(`${dir}.lock`, false, signal);
      if (release !== null) return leased(dir, spec, seed, release);
    }
    throw new CacheMountError(`cache ${id}: all ${maxInstances} private instances are in use`);
  }
  return { dir: await ensureCacheDir(base, spec, seed), release: async () => {} };
}

/** The lease on `dir`, created if needed; a failure to create it lets the lock go again. */
async function leased(
  dir: string,
  spec: RunMount,
  seed: CacheSeed | undefined,
  release: () => Promise<void>,
): Promise<CacheLease> {
  try {
    return { dir: await ensureCacheDir(dir, spec, seed), release };
  } catch (error) {
    await release();
    throw error;
  }
}

/**
 * Creates the directory (the mount's owner and mode, or the seed's content) once; a complete dir is renamed in. An
 * existing one is marked used first (its mtime: the garbage collector's "last used", cache-gc.ts); one the collector
 * has just taken away is made anew.
 */
async function ensureCacheDir(dir: string, spec: RunMount, seed: CacheSeed | undefined): Promise<string> {
  const now = Date.now() / 1000;
  if (
    await utimes(dir, now, now).then(
      () => isDir(dir),
      () => false,
    )
  )
    return dir;
  // What the cache is, for `system df -v` (the directory's name is a hash of it).
  await writeFile(`${dir}.id`, `${spec.options.id ?? spec.target}\n`).catch(() => {});
  const temp = `${dir}.new-${process.pid}-${Math.random().toString(16).slice(2, 8)}`;
  await mkdir(temp, { recursive: true });
  try {
    if (seed !== undefined) await seed.populate(temp);
    else {
      await chmod(temp, spec.options.mode === undefined ? 0o755 : Number.parseInt(spec.options.mode, 8));
      await chown(temp, Number(spec.options.uid ?? 0), Number(spec.options.gid ?? 0));
    }
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
  try {
    await rename(temp, dir);
  } catch (error) {
    // Another step made it first: theirs is as good as ours.
    await rm(temp, { recursive: true, force: true });
    if (!(await isDir(dir))) throw error;
  }
  return dir;
}

async function isDir(dir: string): Promise<boolean> {
  return stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

/**
 * Takes an exclusive flock on `file` (created if missing). `wait` false: resolves null at once when
 * someone holds it. Also null when `signal` aborts while waiting. Otherwise resolves the release.
 */
export function holdLock(file: string, wait: boolean, signal?: AbortSignal): Promise<(() => Promise<void>) | null> {
  if (signal?.aborted) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const args = [...(wait ? [] : ['-n']), '-x', file, '-c', 'echo held; exec cat >/dev/null'];
    const child = spawn('flock', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const closed = new Promise<void>((done) => child.on('close', () => done()));
    let held = false;
    let stderr = '';
    const onAbort = () => child.kill('SIGKILL');
    signal?.addEventListener('abort', onAbort, { once: true });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdout?.on('data', () => {
      if (held) return;
      held = true;
      signal?.removeEventListener('abort', onAbort);
      resolve(() => releaseLock(child, closed));
    });
    child.on('error', (error) => reject(new CacheMountError(`cannot run flock: ${error.message}`)));
    child.on('close', (code) => {
      signal?.removeEventListener('abort', onAbort);
      if (held) return;
      if (code === 1 || signal?.aborted) resolve(null);
      else reject(new CacheMountError(`flock ${file} failed (${code}): ${stderr.trim()}`));
    });
  });
}

async function releaseLock(child: ChildProcess, closed: Promise<void>): Promise<void> {
  child.stdin?.end();
  await closed;
}
