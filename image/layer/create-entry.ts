// Making one entry of a layer. The calls are synchronous: an extraction makes thousands of entries of a few
// syscalls each, and through fs/promises every syscall was a round trip to libuv's thread pool that the loop
// waited for (importing a Debian rootfs: ~60% of the time idle, ~250,000 futex calls). A syscall made directly
// costs microseconds; the event loop still runs whenever the tar source has to be read.
import { execFile } from 'node:child_process';
import {
  closeSync,
  constants,
  fchmodSync,
  fchownSync,
  futimesSync,
  lchownSync,
  linkSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  openSync,
  rmSync,
  type Stats,
  symlinkSync,
  writeSync,
} from 'node:fs';
import { chmod, lchown, lutimes } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { TarHeader } from './tar-entry.js';

const run = promisify(execFile);

const code = (error: unknown) => (error as NodeJS.ErrnoException).code;

function lstatOrUndefined(target: string): Stats | undefined {
  try {
    return lstatSync(target);
  } catch (error) {
    if (code(error) === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Runs `create` (which must fail with EEXIST rather than follow or overwrite), and when something is in the way
 * removes it — without following it — and tries once more. `keep` says whether an existing entry can stay.
 * Returns whether something was removed (the caller's path cache must then be dropped) and whether the entry is
 * new (made by `create`) rather than kept.
 */
function createReplacing<T>(
  target: string,
  create: () => T,
  keep?: (s: Stats) => boolean,
): { removed: boolean; made?: T } {
  try {
    return { removed: false, made: create() };
  } catch (error) {
    if (code(error) !== 'EEXIST') throw error;
  }
  const existing = lstatOrUndefined(target);
  if (existing && keep?.(existing)) return { removed: false };
  rmSync(target, { recursive: true, force: true });
  return { removed: true, made: create() };
}

/** Runs a helper command (mknod, mkfifo, setfattr) and rejects when it fails. */
export type CommandRunner = (command: string, args: readonly string[]) => Promise<unknown>;

/** Node's execFile: forks the whole process, which is costly when the heap is large (see ExtractOptions.special). */
export const execFileRunner: CommandRunner = (command, args) => run(command, [...args]);

/** What Node has no call for when unpacking a layer: device nodes, FIFOs and extended attributes. */
export interface SpecialFiles {
  /** A new device node or FIFO at `target`, where nothing is (mode and owner are set afterwards, by path). */
  makeNode(target: string, type: 'char' | 'block' | 'fifo', major: number, minor: number): Promise<unknown>;
  /** One extended attribute of `target` itself (a symlink is not followed). */
  setXattr(target: string, name: string, value: Uint8Array): Promise<unknown>;
}

/** SpecialFiles by commands: `mknod`, `mkfifo` and `setfattr -h`, one process per call, started by `runner`. */
export function commandSpecialFiles(runner: CommandRunner = execFileRunner): SpecialFiles {
  return {
    makeNode: (target, type, major, minor) =>
      type === 'fifo'
        ? runner('mkfifo', [target])
        : runner('mknod', [target, type === 'char' ? 'c' : 'b', String(major), String(minor)]),
    setXattr: (target, name, value) =>
      runner('setfattr', ['-h', '-n', name, '-v', `0x${Buffer.from(value).toString('hex')}`, target]),
  };
}

export interface CreateOptions {
  /** Set owners from the tar. */
  chown: boolean;
  /**
   * The entry's owner is the one an inode this process creates at `target` gets anyway (the process's own, in a
   * parent whose group is the process's): a new file, directory or symlink then needs no chown.
   */
  ownerIsDefault?: boolean;
  /** How device nodes and FIFOs are made (default: the mknod and mkfifo commands). */
  special?: SpecialFiles;
}

function writeAll(fd: number, chunk: Buffer): void {
  let offset = 0;
  while (offset < chunk.length) offset += writeSync(fd, chunk, offset, chunk.length - offset);
}

const fileFlags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/**
 * Creates one non-whiteout entry at `target` (a path whose parent is already resolved inside the root), with
 * owner, mode and time; files are written through the descriptor opened with O_NOFOLLOW | O_EXCL, so nothing
 * is ever written through a symlink. `hardlinkSource` is the resolved link target for hard links.
 * Directories get only their owner here (mode and times are the caller's, after their children). Returns
 * whether an existing entry was removed.
 */
export async function createEntry(
  target: string,
  header: TarHeader,
  body: () => AsyncIterable<Buffer>,
  options: CreateOptions,
  hardlinkSource?: string,
): Promise<boolean> {
  switch (header.type) {
    case 'directory': {
      const { removed, made } = createReplacing(
        target,
        () => {
          mkdirSync(target, { mode: 0o700 });
          return true;
        },
        (s) => s.isDirectory(),
      );
      if (options.chown && (made !== true || !options.ownerIsDefault)) lchownSync(target, header.uid, header.gid);
      return removed;
    }
    case 'file': {
      const { removed, made: fd } = createReplacing(target, () => openSync(target, fileFlags, 0o600));
      try {
        for await (const chunk of body()) writeAll(fd!, chunk);
        if (options.chown && !options.ownerIsDefault) fchownSync(fd!, header.uid, header.gid);
        // After the chown, which clears setuid/setgid bits.
        fchmodSync(fd!, header.mode);
        futimesSync(fd!, header.mtime, header.mtime);
      } finally {
        closeSync(fd!);
      }
      return removed;
    }
    case 'symlink': {
      const { removed } = createReplacing(target, () => symlinkSync(header.linkname ?? '', target));
      if (options.chown && !options.ownerIsDefault) lchownSync(target, header.uid, header.gid);
      lutimesSync(target, header.mtime, header.mtime);
      return removed;
    }
    case 'hardlink':
      return createReplacing(target, () => linkSync(hardlinkSource!, target)).removed;
    case 'char':
    case 'block':
    case 'fifo':
      return createNode(target, header, header.type, options);
  }
}

/** Devices and fifos (Node has no mknod); rare enough that their calls stay asynchronous. */
async function createNode(
  target: string,
  header: TarHeader,
  type: 'char' | 'block' | 'fifo',
  options: CreateOptions,
): Promise<boolean> {
  const special = options.special ?? commandSpecialFiles();
  const make = () => special.makeNode(target, type, header.devmajor ?? 0, header.devminor ?? 0);
  let removed = false;
  if (lstatOrUndefined(target)) {
    rmSync(target, { recursive: true, force: true });
    removed = true;
  }
  await make();
  // A node (not a symlink) was just made at target; its metadata is set by path. Another process made it: its
  // owner is always set.
  if (options.chown) await lchown(target, header.uid, header.gid);
  await chmod(target, header.mode);
  await lutimes(target, header.mtime, header.mtime);
  return removed;
}
