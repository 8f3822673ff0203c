import { execFile } from 'node:child_process';
import { constants, type Stats } from 'node:fs';
import { chmod, type FileHandle, lchown, link, lstat, lutimes, mkdir, open, rm, symlink } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { TarHeader } from './tar-entry.js';

const run = promisify(execFile);

const code = (error: unknown) => (error as NodeJS.ErrnoException).code;

async function lstatOrUndefined(target: string): Promise<Stats | undefined> {
  try {
    return await lstat(target);
  } catch (error) {
    if (code(error) === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Runs `create` (which must fail with EEXIST rather than follow or overwrite), and when something is in the way
 * removes it — without following it — and tries once more. `keep` says whether an existing entry can stay.
 * Returns whether something was removed (the caller's path cache must then be dropped).
 */
async function createReplacing(
  target: string,
  create: () => Promise<void>,
  keep?: (s: Stats) => boolean,
): Promise<boolean> {
  try {
    await create();
    return false;
  } catch (error) {
    if (code(error) !== 'EEXIST') throw error;
  }
  const existing = await lstatOrUndefined(target);
  if (existing && keep?.(existing)) return false;
  await rm(target, { recursive: true, force: true });
  await create();
  return true;
}

/** Runs a helper command (mknod, mkfifo, setfattr) and rejects when it fails. */
export type CommandRunner = (command: string, args: readonly string[]) => Promise<unknown>;

/** Node's execFile: forks the whole process, which is costly when the heap is large (see ExtractOptions.run). */
export const execFileRunner: CommandRunner = (command, args) => run(command, [...args]);

export interface CreateOptions {
  chown: boolean;
  /** How mknod/mkfifo are run (default `execFileRunner`). */
  run?: CommandRunner;
}

/**
 * Creates one non-whiteout entry at `target` (a path whose parent is already resolved inside the root), with
 * owner, mode and time; files are written through the descriptor opened with O_NOFOLLOW | O_EXCL, so nothing
 * is ever written through a symlink. `hardlinkSource` is the resolved link target for hard links.
 * Returns whether an existing entry was removed.
 */
export async function createEntry(
  target: string,
  header: TarHeader,
  body: () => AsyncIterable<Buffer>,
  options: CreateOptions,
  hardlinkSource?: string,
): Promise<boolean> {
  switch (header.type) {
    case 'directory':
      return createReplacing(
        target,
        () => mkdir(target, { mode: 0o700 }).then(() => {}),
        (s) => s.isDirectory(),
      );
    case 'file': {
      let handle: FileHandle | undefined;
      const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
      const removed = await createReplacing(target, async () => {
        handle = await open(target, flags, 0o600);
      });
      const file = handle!;
      try {
        for await (const chunk of body()) await file.write(chunk);
        if (options.chown) await file.chown(header.uid, header.gid);
        await file.chmod(header.mode);
        await file.utimes(header.mtime, header.mtime);
      } finally {
        await file.close();
      }
      return removed;
    }
    case 'symlink': {
      const removed = await createReplacing(target, () => symlink(header.linkname ?? '', target));
      if (options.chown) await lchown(target, header.uid, header.gid);
      await lutimes(target, header.mtime, header.mtime);
      return removed;
    }
    case 'hardlink':
      return createReplacing(target, () => link(hardlinkSource!, target));
    case 'char':
    case 'block':
    case 'fifo': {
      const args =
        header.type === 'fifo'
          ? ['mkfifo', target]
          : [
              'mknod',
              target,
              header.type === 'char' ? 'c' : 'b',
              String(header.devmajor ?? 0),
              String(header.devminor ?? 0),
            ];
      const removed = await createReplacing(target, async () => {
        if (await lstatOrUndefined(target)) throw Object.assign(new Error('exists'), { code: 'EEXIST' });
        await (options.run ?? execFileRunner)(args[0]!, args.slice(1));
      });
      // mknod/mkfifo just created a node (not a symlink) at target; its metadata is set by path.
      if (options.chown) await lchown(target, header.uid, header.gid);
      await chmod(target, header.mode);
      await lutimes(target, header.mtime, header.mtime);
      return removed;
    }
  }
}
