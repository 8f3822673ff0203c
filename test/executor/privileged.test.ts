// What a privileged step (RUN --security=insecure) gets on a host: the capabilities of tsbuild's own bounding set,
// the host's loop devices and eight more, numbered as the loop driver numbers them; and the host's device nodes that
// `tsbuild run --privileged` copies, as docker does.
import { execFileSync } from 'node:child_process';
import { chown, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  deviceNumbers,
  hostDevices,
  loopPartShift,
  ownBoundingSet,
  privilegedCapabilities,
  privilegedDevices,
  privilegedLoopDevices,
} from '../../executor/runtime/privileged.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('privileged steps', () => {
  it('get every capability of the bounding set, in the order of their numbers', () => {
    const all = privilegedCapabilities((1n << 41n) - 1n);
    expect(all).toHaveLength(41);
    expect(all.slice(0, 3)).toEqual(['CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH']);
    expect(all[21]).toBe('CAP_SYS_ADMIN');
    expect(all[24]).toBe('CAP_SYS_RESOURCE');
    expect(all.at(-1)).toBe('CAP_CHECKPOINT_RESTORE');
    // A VM whose init lacks CAP_SYS_RESOURCE (bit 24), as this project's do: runc could not grant it.
    const withoutResource = privilegedCapabilities(0x1fffeffffffn);
    expect(withoutResource).toHaveLength(40);
    expect(withoutResource).not.toContain('CAP_SYS_RESOURCE');
    expect(withoutResource).toContain('CAP_SYS_ADMIN');
    expect(privilegedCapabilities(0b101n)).toEqual(['CAP_CHOWN', 'CAP_DAC_READ_SEARCH']);
  });

  it("read tsbuild's bounding set from /proc/self/status", () => {
    const status = 'Name:\tnode\nCapInh:\t0000000000000000\nCapBnd:\t000001fffeffffff\nCapAmb:\t0000000000000000\n';
    expect(ownBoundingSet(status)).toBe(0x1fffeffffffn);
    expect(() => ownBoundingSet('Name:\tnode\n')).toThrow('/proc/self/status has no CapBnd line');
    expect(ownBoundingSet()).toBeGreaterThan(0n);
  });

  it("count loop devices from the host's highest /dev/loopN, plus eight", async () => {
    const dev = await mkdtemp(path.join(tmpdir(), 'tsb-dev-'));
    dirs.push(dev);
    expect(privilegedLoopDevices(dev)).toBe(8);
    for (const name of ['loop0', 'loop1', 'loop4', 'loop-control', 'loopback', 'loop4p1']) {
      await writeFile(path.join(dev, name), '');
    }
    await mkdir(path.join(dev, 'loop9x'));
    expect(privilegedLoopDevices(dev)).toBe(13);
    expect(privilegedLoopDevices(path.join(dev, 'missing'))).toBe(8);
  });

  it('number loop devices as the loop driver does: N, or N << bit length of its max_part', async () => {
    const minors = (shift: number) =>
      privilegedDevices(3, shift)
        .filter((d) => d.path.startsWith('/dev/loop') && d.path !== '/dev/loop-control')
        .map((d) => [d.path, d.minor]);
    expect(minors(0)).toEqual([
      ['/dev/loop0', 0],
      ['/dev/loop1', 1],
      ['/dev/loop2', 2],
    ]);
    expect(minors(4)).toEqual([
      ['/dev/loop0', 0],
      ['/dev/loop1', 16],
      ['/dev/loop2', 32],
    ]);
    const dir = await mkdtemp(path.join(tmpdir(), 'tsb-loop-'));
    dirs.push(dir);
    const param = path.join(dir, 'max_part');
    for (const [text, shift] of [
      ['0\n', 0],
      ['15\n', 4],
      ['7\n', 3],
      ['16\n', 5],
      ['junk', 0],
    ] as const) {
      await writeFile(param, text);
      expect(loopPartShift(param)).toBe(shift);
    }
    expect(loopPartShift(path.join(dir, 'missing'))).toBe(0);
    // This host's driver, as the kernel reports it.
    expect(loopPartShift()).toBeGreaterThanOrEqual(0);
  });

  it('read the numbers of a dev_t as glibc does, the high bits of both included', () => {
    expect(deviceNumbers((1n << 8n) | 3n)).toEqual({ major: 1, minor: 3 });
    expect(deviceNumbers(259n << 8n)).toEqual({ major: 259, minor: 0 });
    // major 4100 (0x1004), minor 0x12345: the low 12 bits of the major at 8, the rest at 32; minor's beyond 8 at 12.
    const rdev = (0x004n << 8n) | (0x1000n << 32n) | 0x45n | (0x12300n << 12n);
    expect(deviceNumbers(rdev)).toEqual({ major: 0x1004, minor: 0x12345 });
  });

  it.skipIf(process.getuid?.() !== 0)(
    "copy the host's device nodes for `run --privileged`: recursively, at the same path, numbers, mode and owner",
    async () => {
      const dev = await mkdtemp(path.join(tmpdir(), 'tsb-hostdev-'));
      dirs.push(dev);
      const node = (name: string, type: 'c' | 'b', major: number, minor: number, mode = '600') =>
        execFileSync('mknod', ['-m', mode, path.join(dev, name), type, String(major), String(minor)]);
      for (const sub of ['input', 'net', 'pts', 'shm', 'mqueue', 'fd', '.udev']) await mkdir(path.join(dev, sub));
      node('null', 'c', 1, 3, '666');
      node('loop0', 'b', 7, 0, '660');
      node('input/event0', 'c', 13, 64, '640');
      node('net/tun', 'c', 10, 200, '666');
      await chown(path.join(dev, 'net/tun'), 1000, 1001);
      // Left out: the console, the container's own directories, FIFOs, symlinks and files.
      node('console', 'c', 5, 1);
      node('pts/0', 'c', 136, 0);
      node('shm/x', 'c', 1, 5);
      node('.udev/y', 'c', 1, 7);
      execFileSync('mkfifo', [path.join(dev, 'initctl')]);
      await symlink('/proc/self/fd/0', path.join(dev, 'stdin'));
      await writeFile(path.join(dev, 'file'), '');
      expect(hostDevices(dev)).toEqual([
        { path: '/dev/input/event0', type: 'c', major: 13, minor: 64, fileMode: 0o640, uid: 0, gid: 0 },
        { path: '/dev/loop0', type: 'b', major: 7, minor: 0, fileMode: 0o660, uid: 0, gid: 0 },
        { path: '/dev/net/tun', type: 'c', major: 10, minor: 200, fileMode: 0o666, uid: 1000, gid: 1001 },
        { path: '/dev/null', type: 'c', major: 1, minor: 3, fileMode: 0o666, uid: 0, gid: 0 },
      ]);
      expect(hostDevices(path.join(dev, 'missing'))).toEqual([]);
    },
  );
});
