// The syscall helper (executor/runtime/syscalls.ts): mount, umount and extended attributes by one perl process,
// with mount(8)/getfattr as the fallback where it cannot run.
import { execFile, spawn } from 'node:child_process';
import { chmod, lstat, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listMountsUnder, parseGetfattrDump, readTreeXattrs } from '../../executor/index.js';
import { launcherDir } from '../../executor/runtime/launcher.js';
import {
  deviceNumber,
  MNT_DETACH,
  SyscallError,
  syscallHelper,
  UMOUNT_NOFOLLOW,
} from '../../executor/runtime/syscalls.js';
import { isolationUnavailable, removeScratch, scratchDir } from './helpers.js';

const run = promisify(execFile);
const skipReason = isolationUnavailable();

describe.skipIf(skipReason !== undefined)('syscall helper', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await scratchDir();
  });
  afterAll(async () => {
    await removeScratch(dir);
  });

  it('mounts an overlay with dirs relative to a directory, and unmounts it', async () => {
    const syscalls = await syscallHelper();
    expect(syscalls).not.toBeNull();
    const base = path.join(dir, 'ov');
    for (const name of ['l', 'u', 'w', 'm']) await mkdir(path.join(base, name), { recursive: true });
    await writeFile(path.join(base, 'l', 'file'), 'lower\n');
    await syscalls?.mount(base, 'overlay', path.join(base, 'm'), 'overlay', 0, 'lowerdir=l,upperdir=u,workdir=w');
    expect((await listMountsUnder(base)).map((m) => [m.target, m.fsType])).toEqual([[path.join(base, 'm'), 'overlay']]);
    expect(await readFile(path.join(base, 'm', 'file'), 'utf8')).toBe('lower\n');
    await syscalls?.umount(path.join(base, 'm'), UMOUNT_NOFOLLOW);
    expect(await listMountsUnder(base)).toEqual([]);
  });

  it('fails with the errno name: not mounted, missing dirs, busy', async () => {
    const syscalls = await syscallHelper();
    const target = path.join(dir, 'plain');
    await mkdir(target, { recursive: true });
    const notMounted = syscalls?.umount(target, UMOUNT_NOFOLLOW);
    await expect(notMounted).rejects.toThrow(SyscallError);
    await expect(notMounted).rejects.toMatchObject({ code: 'EINVAL', message: `umount ${target}: EINVAL` });
    await expect(syscalls?.mount(dir, 'overlay', target, 'overlay', 0, 'lowerdir=no-such-lower')).rejects.toMatchObject(
      { code: 'ENOENT' },
    );
    await expect(
      syscalls?.mount(path.join(dir, 'no-such-cwd'), 'overlay', target, 'overlay', 0, ''),
    ).rejects.toMatchObject({ code: 'ENOENT' });
    await run('mount', ['-t', 'tmpfs', 'tmpfs', target]);
    await writeFile(path.join(target, 'open'), '');
    const holder = spawn('sleep', ['30'], { cwd: target, stdio: 'ignore' });
    try {
      await expect(syscalls?.umount(target, UMOUNT_NOFOLLOW)).rejects.toMatchObject({ code: 'EBUSY' });
      await syscalls?.umount(target, UMOUNT_NOFOLLOW | MNT_DETACH);
      expect(await listMountsUnder(dir)).toEqual([]);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('reads extended attributes exactly as getfattr does, odd names included', async () => {
    const root = path.join(dir, 'xattrs');
    const names = ['a b', 'c=d', 'back\\slash', 'new\nline', 'é', 'tab\tx'];
    await mkdir(path.join(root, 'sub', 'deeper'), { recursive: true });
    for (const name of names) await writeFile(path.join(root, 'sub', name), name);
    const set = (file: string, name: string, value: string) => run('setfattr', ['-h', '-n', name, '-v', value, file]);
    await set(root, 'user.top', 'hello');
    await set(path.join(root, 'sub', 'deeper'), 'trusted.overlay.opaque', 'y');
    for (const [i, name] of names.entries()) await set(path.join(root, 'sub', name), `user.n${i}`, `0x00ff${i}0`);
    await run('setfattr', ['-h', '-n', 'user.empty', path.join(root, 'sub', 'a b')]);
    await run('ln', ['-s', '/etc/passwd', path.join(root, 'link')]);
    const viaHelper = await readTreeXattrs(root);
    const { stdout } = await run(
      'getfattr',
      ['-R', '-P', '-h', '--absolute-names', '-d', '-m', '-', '-e', 'hex', root],
      {
        encoding: 'buffer',
      },
    );
    expect(viaHelper).toEqual(parseGetfattrDump(stdout, root));
    expect(viaHelper.get('sub/new\nline')).toEqual({ 'user.n3': Buffer.from([0, 0xff, 0x30]) });
    expect(viaHelper.get('sub/a b')).toEqual({ 'user.empty': Buffer.alloc(0), 'user.n0': Buffer.from([0, 0xff, 0]) });
    expect(viaHelper.get('sub/deeper')).toEqual({ 'trusted.overlay.opaque': Buffer.from('y') });
    expect(viaHelper.has('link')).toBe(false);
    expect(viaHelper.size).toBe(names.length + 2);
  });

  it('reads the attributes of given paths only, as getfattr does, and fails for a missing one', async () => {
    const syscalls = await syscallHelper();
    const root = path.join(dir, 'paths');
    await mkdir(path.join(root, 'a', 'inner'), { recursive: true });
    await run('setfattr', ['-n', 'user.a', '-v', 'one', path.join(root, 'a')]);
    await run('setfattr', ['-n', 'user.inner', '-v', 'two', path.join(root, 'a', 'inner')]);
    await run('ln', ['-s', 'a', path.join(root, 'link')]);
    const paths = [path.join(root, 'a'), path.join(root, 'link'), root];
    const dump = path.join(launcherDir(), 'paths-dump');
    await syscalls?.dumpPathXattrs(paths, dump);
    const { stdout } = await run('getfattr', ['-P', '-h', '--absolute-names', '-d', '-m', '-', '-e', 'hex', ...paths], {
      encoding: 'buffer',
    });
    const mine = parseGetfattrDump(await readFile(dump), '/');
    expect(mine).toEqual(parseGetfattrDump(stdout, '/'));
    expect([...mine.keys()]).toEqual([path.relative('/', path.join(root, 'a'))]);
    await expect(
      syscalls?.dumpPathXattrs([path.join(root, 'missing')], path.join(launcherDir(), 'paths-dump-2')),
    ).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('sets extended attributes on the path itself, any bytes in the value, as setfattr -h does', async () => {
    const syscalls = await syscallHelper();
    const root = path.join(dir, 'setx');
    await mkdir(root, { recursive: true });
    await writeFile(path.join(root, 'f'), 'f');
    await run('ln', ['-s', 'f', path.join(root, 'link')]);
    await syscalls?.setXattr(path.join(root, 'f'), 'user.bin', Buffer.from([0, 0xff, 0x0a, 0x20]));
    await syscalls?.setXattr(path.join(root, 'f'), 'user.empty', new Uint8Array(0));
    await syscalls?.setXattr(
      path.join(root, 'f'),
      'security.capability',
      Buffer.from('0100000200200000000000000000000000000000', 'hex'),
    );
    await syscalls?.setXattr(root, 'trusted.overlay.opaque', Buffer.from('y'));
    const xattrs = await readTreeXattrs(root);
    expect(xattrs.get('f')).toEqual({
      'security.capability': Buffer.from('0100000200200000000000000000000000000000', 'hex'),
      'user.bin': Buffer.from([0, 0xff, 0x0a, 0x20]),
      'user.empty': Buffer.alloc(0),
    });
    expect(xattrs.get('')).toEqual({ 'trusted.overlay.opaque': Buffer.from('y') });
    // The link itself, not its target: the kernel allows no user.* attribute on a symlink.
    await expect(syscalls?.setXattr(path.join(root, 'link'), 'user.x', Buffer.from('1'))).rejects.toMatchObject({
      code: 'EPERM',
    });
    await expect(syscalls?.setXattr(path.join(root, 'missing'), 'user.x', Buffer.from('1'))).rejects.toMatchObject({
      code: 'ENOENT',
      message: `cannot set the extended attribute user.x of ${path.join(root, 'missing')}: ENOENT`,
    });
  });

  it('makes device nodes and FIFOs, never over something already there', async () => {
    const syscalls = await syscallHelper();
    const root = path.join(dir, 'nodes');
    await mkdir(root, { recursive: true });
    await syscalls?.makeNode(path.join(root, 'null'), 0o020600, 1, 3);
    await syscalls?.makeNode(path.join(root, 'loop'), 0o060600, 7, 0);
    await syscalls?.makeNode(path.join(root, 'big'), 0o020600, 4095, 1048575);
    await syscalls?.makeNode(path.join(root, 'fifo'), 0o010600, 0, 0);
    const kind = async (name: string) => {
      const st = await lstat(path.join(root, name));
      return [st.isCharacterDevice(), st.isBlockDevice(), st.isFIFO(), st.rdev, st.mode & 0o777];
    };
    expect(await kind('null')).toEqual([true, false, false, 0x103, 0o600]);
    expect(await kind('loop')).toEqual([false, true, false, 0x700, 0o600]);
    // The largest device number there is (Node reads back glibc's form, the same number below major 4096).
    expect(await kind('big')).toEqual([true, false, false, 0xffffffff, 0o600]);
    expect(deviceNumber(4095, 1048575)).toBe(0xffffffff);
    expect(deviceNumber(1, 3)).toBe(0x103);
    expect(deviceNumber(0x12, 0x3456)).toBe(0x03401256);
    // A number the kernel cannot hold is refused, never cut down to another device.
    await expect(syscalls?.makeNode(path.join(root, 'huge'), 0o020600, 4096, 0)).rejects.toMatchObject({
      code: 'EINVAL',
      message: 'device 4096:0: EINVAL',
    });
    await expect(syscalls?.makeNode(path.join(root, 'huge'), 0o020600, 0, 0x100000)).rejects.toMatchObject({
      code: 'EINVAL',
    });
    expect(await kind('fifo')).toEqual([false, false, true, 0, 0o600]);
    await expect(syscalls?.makeNode(path.join(root, 'fifo'), 0o020600, 1, 3)).rejects.toMatchObject({ code: 'EEXIST' });
  });

  it('never writes a dump through something already there', async () => {
    const syscalls = await syscallHelper();
    const existing = path.join(launcherDir(), 'taken');
    await writeFile(existing, 'keep');
    await expect(syscalls?.dumpXattrs(dir, existing)).rejects.toMatchObject({ code: 'EEXIST' });
    expect(await readFile(existing, 'utf8')).toBe('keep');
  });

  describe('in a process of its own', () => {
    let script: string;
    beforeAll(async () => {
      script = path.join(dir, 'syscall-user.mjs');
      await build({
        entryPoints: [path.join(import.meta.dirname, 'programs/syscall-user.ts')],
        bundle: true,
        platform: 'node',
        format: 'esm',
        outfile: script,
        logLevel: 'silent',
      });
    });

    async function runChild(name: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
      const child = path.join(dir, name);
      await mkdir(path.join(child, 'lower'), { recursive: true });
      const proc = spawn(process.execPath, [script, child], { stdio: ['ignore', 'pipe', 'inherit'], env });
      let out = '';
      proc.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
      });
      const code = await new Promise<number | null>((resolve) => proc.on('exit', (c) => resolve(c)));
      expect(await listMountsUnder(child)).toEqual([]);
      return { code, out };
    }

    it('does not keep the process alive once its work is done', async () => {
      const started = Date.now();
      expect(await runChild('alive', process.env)).toEqual({ code: 0, out: 'helper running, volatile true\n' });
      expect(Date.now() - started).toBeLessThan(10_000);
    });

    it('falls back to mount(8) where perl cannot run', async () => {
      const bin = path.join(dir, 'no-perl-bin');
      await mkdir(bin, { recursive: true });
      await writeFile(path.join(bin, 'perl'), '#!/bin/sh\nexit 127\n');
      await chmod(path.join(bin, 'perl'), 0o755);
      const env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` };
      expect(await runChild('no-perl', env)).toEqual({ code: 0, out: 'helper none, volatile true\n' });
    });
  });
});
