import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownCgroupProcsFile, primeCgroupMigration } from '../../executor/runtime/cgroup-prime.js';

const hybrid = [
  '9:name=systemd:/',
  '8:pids:/build',
  '4:memory:/process_api/72ac',
  '3:cpuset:/',
  '1:cpu,cpuacct:/build',
  '0::/build',
  '',
].join('\n');

describe('ownCgroupProcsFile', () => {
  it('prefers the unified hierarchy: /sys/fs/cgroup/unified on a hybrid host', () => {
    const present = new Set(['/sys/fs/cgroup/unified/build/cgroup.procs', '/sys/fs/cgroup/pids/build/cgroup.procs']);
    expect(ownCgroupProcsFile(hybrid, (file) => present.has(file))).toBe('/sys/fs/cgroup/unified/build/cgroup.procs');
  });

  it('finds the v2 root of a unified host', () => {
    const present = new Set(['/sys/fs/cgroup/cgroup.procs']);
    expect(ownCgroupProcsFile('0::/\n', (file) => present.has(file))).toBe('/sys/fs/cgroup/cgroup.procs');
  });

  it('falls back to a v1 controller, never a named hierarchy', () => {
    const present = new Set([
      '/sys/fs/cgroup/systemd/cgroup.procs',
      '/sys/fs/cgroup/memory/process_api/72ac/cgroup.procs',
      '/sys/fs/cgroup/cpu,cpuacct/build/cgroup.procs',
    ]);
    expect(ownCgroupProcsFile(hybrid, (file) => present.has(file))).toBe(
      '/sys/fs/cgroup/memory/process_api/72ac/cgroup.procs',
    );
  });

  it('is undefined when no file is there or the text lists no cgroup', () => {
    expect(ownCgroupProcsFile(hybrid, () => false)).toBeUndefined();
    expect(ownCgroupProcsFile('', () => true)).toBeUndefined();
  });
});

describe('primeCgroupMigration', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tsb-prime-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes 0 (the writer itself) into the file through the launcher', async () => {
    const file = path.join(dir, 'cgroup.procs');
    await writeFile(file, 'old');
    await primeCgroupMigration(file);
    expect(await readFile(file, 'utf8')).toBe('0');
  });

  it('never fails: a file that cannot be written, or none, costs nothing', async () => {
    await expect(primeCgroupMigration(path.join(dir, 'missing', 'cgroup.procs'))).resolves.toBeUndefined();
    await expect(primeCgroupMigration(null)).resolves.toBeUndefined();
  });
});
