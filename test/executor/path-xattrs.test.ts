// The extended attributes of given paths (executor/build/path-xattrs.ts), read by the lower probe of a direct COPY:
// through `getfattr` as long as no RUN step started the syscall helper (starting perl would cost more than the one
// command), through the helper once it runs; both ways give the same attributes.
import { execFile } from 'node:child_process';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPathXattrs } from '../../executor/build/path-xattrs.js';
import { startedSyscallHelper, syscallHelper } from '../../executor/runtime/syscalls.js';
import { isolationUnavailable, removeScratch, scratchDir } from './helpers.js';

const run = promisify(execFile);

describe.skipIf(isolationUnavailable() !== undefined)('readPathXattrs', () => {
  let dir: string;
  let paths: string[];
  beforeAll(async () => {
    dir = await scratchDir();
    await mkdir(path.join(dir, 'tagged'));
    await run('setfattr', ['-n', 'user.colour', '-v', 'blue', path.join(dir, 'tagged')]);
    await run('setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', path.join(dir, 'tagged')]);
    await writeFile(path.join(dir, 'plain'), 'x');
    await symlink('tagged', path.join(dir, 'link'));
    paths = ['tagged', 'plain', 'link'].map((name) => path.join(dir, name));
  });
  afterAll(async () => {
    await removeScratch(dir);
  });

  const expected = () =>
    new Map([
      [path.join(dir, 'tagged'), { 'trusted.overlay.opaque': Buffer.from('y'), 'user.colour': Buffer.from('blue') }],
    ]);

  it('uses getfattr, and starts no syscall helper, while none runs', async () => {
    expect(startedSyscallHelper()).toBeUndefined();
    expect(await readPathXattrs(paths)).toEqual(expected());
    expect(startedSyscallHelper()).toBeUndefined();
    expect(await readPathXattrs([path.join(dir, 'missing')])).toBeNull();
  });

  it('reads the same through the syscall helper once it runs', async () => {
    expect(await syscallHelper()).not.toBeNull();
    expect(await readPathXattrs(paths)).toEqual(expected());
    expect(await readPathXattrs([path.join(dir, 'missing')])).toBeNull();
  });
});
