// Removes from an upper dir the empty mount points the runtime created (and the new, now empty
// directories above them), like BuildKit's MountStubsCleaner, which runs when the container is done, so that
// the next step does not see them. The differ leaves them out of the layer anyway; the times of the directory a
// stub is removed from are kept (as BuildKit does, for reproducible layers), so the layer is the same whether the
// stubs went before or after the diff.
import type { Stats } from 'node:fs';
import { lstat, lutimes, readdir, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';

export interface PruneOptions {
  /** The merged lower layers; a path that exists there was not created by the runtime. */
  readonly lowerRoot: string;
  /** Container paths of the mounts (see `mountStubPaths`). */
  readonly mountStubs: readonly string[];
}

/** Returns the container paths it removed, deepest first. Call it with nothing mounted on the upper. */
export async function pruneMountStubs(upperDir: string, options: PruneOptions): Promise<string[]> {
  const removed: string[] = [];
  const stubs = [...new Set(options.mountStubs.map(relative).filter((rel) => rel !== ''))];
  // Deepest first, so a stub inside another stub's directory goes before its parent.
  stubs.sort((a, b) => b.split('/').length - a.split('/').length);
  for (const stub of stubs) {
    for (let rel = stub; rel !== '.'; rel = path.posix.dirname(rel)) {
      if ((await lstatInside(options.lowerRoot, rel)) !== undefined) break;
      const full = path.join(upperDir, rel);
      const st = await lstatInside(upperDir, rel);
      if (st === undefined) continue; // already gone, or never created
      if (!(await isEmptyStub(full, st, rel === stub))) break;
      await keepingTimesOf(path.dirname(full), () => (st.isDirectory() ? rmdir(full) : rm(full)));
      removed.push(`/${rel}`);
    }
  }
  return removed;
}

/**
 * Runs `change` in `dir` and sets the directory's times back. Whole milliseconds: the layer keeps whole seconds, and
 * a time of more digits could round up to the next second on its way through a double (what Node's lutimes takes).
 */
async function keepingTimesOf(dir: string, change: () => Promise<void>): Promise<void> {
  const st = await lstat(dir, { bigint: true });
  await change();
  const ms = (ns: bigint) => new Date(Number(ns / 1_000_000n));
  await lutimes(dir, ms(st.atimeNs), ms(st.mtimeNs));
}

/** The stub itself may be an empty file or dir; a parent above it only an empty dir. */
async function isEmptyStub(full: string, st: Stats, isStub: boolean): Promise<boolean> {
  if (st.isDirectory()) return (await readdir(full)).length === 0;
  return isStub && st.isFile() && st.size === 0;
}

function relative(containerPath: string): string {
  return path.posix.normalize(containerPath).replace(/^\/+|\/+$/g, '');
}

/**
 * lstat of `root/rel` that never follows a symlink on the way: the step controls the upper dir and
 * the image the lower ones, so `mnt -> /etc` there must not lead to the host's /etc.
 */
async function lstatInside(root: string, rel: string): Promise<Stats | undefined> {
  const parts = rel.split('/');
  let current = root;
  let st: Stats | undefined;
  for (const [index, part] of parts.entries()) {
    current = path.join(current, part);
    st = await lstatOrUndefined(current);
    if (st === undefined) return undefined;
    if (index < parts.length - 1 && !st.isDirectory()) return undefined;
  }
  return st;
}

async function lstatOrUndefined(file: string): Promise<Stats | undefined> {
  try {
    return await lstat(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
}
