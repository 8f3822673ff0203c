// A tiny read-only layer holding the mount points every container needs (/proc, /sys, /dev and the
// three /etc files tsbuild binds). Stacked as the bottom-most lower dir, it supplies them when the
// image lacks them, so runc never has to create them in the upper dir: a step that changes nothing
// leaves an empty upper dir (no copied-up /etc, nothing to diff). Being the bottom layer, it never
// shadows the image's own directories or their metadata.
import { randomBytes } from 'node:crypto';
import { chmod, lutimes, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

const directories = ['dev', 'etc', 'proc', 'sys'];
const files = ['etc/hostname', 'etc/hosts', 'etc/resolv.conf'];
const epoch = new Date(0);

/** Checks and creations in flight, by dir: a caller arriving meanwhile waits for the same one. */
const ensuring = new Map<string, Promise<string>>();

/**
 * Creates the layer at `dir` unless it is there; safe when several processes race to create it. The build asks for
 * it as soon as a RUN step is found missing (schedule.ts), so the first RUN's mount finds it made.
 */
export function ensureMountPointLayer(dir: string): Promise<string> {
  let ready = ensuring.get(dir);
  if (ready === undefined) {
    ready = ensureLayer(dir).finally(() => ensuring.delete(dir));
    ensuring.set(dir, ready);
  }
  return ready;
}

async function ensureLayer(dir: string): Promise<string> {
  if (await isComplete(dir)) return dir;
  const building = `${dir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    // Independent entries at once: one after another, the ~30 calls took 3-4 ms of the first RUN's mount.
    await mkdir(building, { recursive: true });
    await Promise.all(directories.map((rel) => mkdir(path.join(building, rel))));
    await Promise.all(files.map((rel) => writeFile(path.join(building, rel), '')));
    await Promise.all(
      [...files, ...directories].map((rel) => settleEntry(path.join(building, rel), directories.includes(rel))),
    );
    await settleEntry(building, true); // last: the entries' creation changed its times
    try {
      await rename(building, dir);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
      // Another process won the race with an identical layer.
    }
  } finally {
    await rm(building, { recursive: true, force: true });
  }
  return dir;
}

async function settleEntry(full: string, isDir: boolean): Promise<void> {
  await chmod(full, isDir ? 0o755 : 0o644);
  await lutimes(full, epoch, epoch);
}

async function isComplete(dir: string): Promise<boolean> {
  try {
    const names = await readdir(dir);
    if (names.length !== directories.length) return false;
    await Promise.all(files.map((rel) => stat(path.join(dir, rel))));
    return true;
  } catch {
    return false;
  }
}
