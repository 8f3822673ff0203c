// Unpacking a layer's device nodes, FIFOs and extended attributes through the syscall helper: no process per
// entry (the command fallback is never asked), the same result as the commands give.
import { execFileSync } from 'node:child_process';
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTreeXattrs } from '../../executor/index.js';
import { helperSpecialFiles } from '../../executor/runtime/special-files.js';
import { syscallHelper } from '../../executor/runtime/syscalls.js';
import {
  commandSpecialFiles,
  extractLayer,
  layerTarBytes,
  type SpecialFiles,
  type TarEntry,
} from '../../image/index.js';
import { isolationUnavailable, removeScratch, scratchDir } from './helpers.js';

const meta = { uid: 0, gid: 0, mtime: 1_700_000_000 };

/** A layer with `files` files each carrying two attributes, and a device, a block device and a FIFO. */
function layer(files: number): TarEntry[] {
  const entries: TarEntry[] = [{ ...meta, path: 'bin', type: 'directory', mode: 0o755 }];
  for (let i = 0; i < files; i++) {
    entries.push({
      ...meta,
      path: `bin/tool${i}`,
      type: 'file',
      mode: 0o755,
      content: Buffer.from(`#${i}`),
      xattrs: {
        'security.capability': Buffer.from('0100000200200000000000000000000000000000', 'hex'),
        'user.id': Buffer.from([i & 0xff, 0, 0xff]),
      },
    });
  }
  entries.push(
    { ...meta, path: 'null', type: 'char', mode: 0o666, devmajor: 1, devminor: 3 },
    { ...meta, path: 'loop0', type: 'block', mode: 0o660, gid: 6, devmajor: 7, devminor: 0 },
    { ...meta, path: 'pipe', type: 'fifo', mode: 0o620 },
  );
  return entries;
}

describe.skipIf(isolationUnavailable() !== undefined)('special files through the syscall helper', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await scratchDir();
  });
  afterAll(async () => {
    await removeScratch(dir);
  });

  it('unpacks devices, FIFOs and attributes without starting a process, as the commands would', async () => {
    const refused: SpecialFiles = {
      makeNode: async () => {
        throw new Error('a process would have been started');
      },
      setXattr: async () => {
        throw new Error('a process would have been started');
      },
    };
    const warnings: string[] = [];
    const viaHelper = path.join(dir, 'helper');
    const viaCommands = path.join(dir, 'commands');
    execFileSync('mkdir', ['-p', viaHelper, viaCommands]);
    const tar = await layerTarBytes(layer(300));
    await extractLayer(tar, viaHelper, {
      chown: true,
      special: helperSpecialFiles(syscallHelper, refused),
      onWarning: (m) => warnings.push(m),
    });
    expect(warnings).toEqual([]);
    await extractLayer(tar, viaCommands, { chown: true, special: commandSpecialFiles() });
    const helperXattrs = await readTreeXattrs(viaHelper);
    expect(helperXattrs).toEqual(await readTreeXattrs(viaCommands));
    expect(helperXattrs.size).toBe(300);
    expect(helperXattrs.get('bin/tool7')).toEqual({
      'security.capability': Buffer.from('0100000200200000000000000000000000000000', 'hex'),
      'user.id': Buffer.from([7, 0, 0xff]),
    });
    for (const name of ['null', 'loop0', 'pipe']) {
      const [mine, theirs] = await Promise.all([
        lstat(path.join(viaHelper, name)),
        lstat(path.join(viaCommands, name)),
      ]);
      expect([mine.mode, mine.rdev, mine.uid, mine.gid, mine.mtimeMs]).toEqual([
        theirs.mode,
        theirs.rdev,
        theirs.uid,
        theirs.gid,
        theirs.mtimeMs,
      ]);
    }
    const loop = await lstat(path.join(viaHelper, 'loop0'));
    expect([loop.isBlockDevice(), loop.rdev, loop.mode & 0o7777, loop.gid]).toEqual([true, 0x700, 0o660, 6]);
  });

  it('falls back to the commands where the helper cannot run', async () => {
    const root = path.join(dir, 'fallback');
    execFileSync('mkdir', ['-p', root]);
    const calls: string[] = [];
    const recorded = commandSpecialFiles(async (command, args) => {
      calls.push(command);
      execFileSync(command, [...args]);
    });
    await extractLayer(await layerTarBytes(layer(2)), root, {
      chown: true,
      special: helperSpecialFiles(async () => null, recorded),
    });
    expect(calls).toEqual(['setfattr', 'setfattr', 'setfattr', 'setfattr', 'mknod', 'mknod', 'mkfifo']);
    expect((await readTreeXattrs(root)).size).toBe(2);
  });
});
