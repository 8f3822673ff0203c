// What a privileged step (RUN --security=insecure) gets on a host: the capabilities of tsbuild's own bounding set,
// the host's loop devices and eight more, numbered as the loop driver numbers them.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
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
});
