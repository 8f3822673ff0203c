import { randomBytes } from 'node:crypto';
import { open, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Marker in temporary file names; `prune` removes `*.tmp-<pid>-*` files whose process is gone. */
export const tempMarker = '.tmp-';

/** A temporary name beside `target`, unique and carrying our pid (so garbage can be traced to a dead process). */
export function tempPathFor(target: string): string {
  return `${target}${tempMarker}${process.pid}-${randomBytes(6).toString('hex')}`;
}

/** The pid recorded in a temporary file name, or undefined when `name` is not one. */
export function tempOwnerPid(name: string): number | undefined {
  const match = /\.tmp-(\d+)-[0-9a-f]+$/.exec(name);
  return match ? Number(match[1]) : undefined;
}

/** fsync a directory so a rename inside it survives a crash. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Writes `data` to `target` crash-safely: temp file in the same directory, fsync, rename, fsync directory. The mode
 * is subject to the umask unless `exactMode` (a file other users must read, whoever writes it). `beforeRename`: what
 * the file names must be durable before the rename (the temp file is written and synced meanwhile); when it
 * rejects, the temp file goes and so does its error.
 */
export async function writeFileAtomic(
  target: string,
  data: Uint8Array | string,
  mode = 0o644,
  options: { readonly exactMode?: boolean; readonly beforeRename?: Promise<void> } = {},
): Promise<void> {
  const temp = tempPathFor(target);
  const handle = await open(temp, 'wx', mode);
  try {
    await handle.writeFile(data);
    if (options.exactMode === true) await handle.chmod(mode);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(temp).catch(() => {});
    throw error;
  }
  await handle.close();
  try {
    await options.beforeRename;
    await rename(temp, target);
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
  await fsyncDir(path.dirname(target));
}

/**
 * Replaces `target` by rename, without fsync: for advisory files (a recorded plan, a copy record) whose readers
 * treat a torn or missing file as absent, so a power loss costs only a slower next build, never a wrong one.
 */
export async function replaceFileUnsynced(target: string, data: Uint8Array | string): Promise<void> {
  const temp = tempPathFor(target); // swept by prune if this process dies before the rename
  try {
    await writeFile(temp, data);
    await rename(temp, target);
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
}

/** True when a process with this pid exists (EPERM means it exists but is not ours). */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
