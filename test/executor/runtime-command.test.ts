import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { OciSpec } from '../../executor/runtime/oci-spec.js';
import { RuntimeError, runContainer } from '../../executor/runtime/runc.js';
import {
  type CgroupProbe,
  defaultStateRoot,
  hybridUnifiedMount,
  hybridWithV2Controllers,
  runtimeCommand,
  runtimeExecutable,
} from '../../executor/runtime/runtime-command.js';

const TMPFS = 0x01021994;
const CGROUP2 = 0x63677270;
const CGROUP1 = 0x27e0eb;

/** A host whose /sys/fs/cgroup, unified mount and its controllers are as given. */
function host(root: number | undefined, unified: number | undefined, controllers?: string): CgroupProbe {
  return {
    fsType: (file) => (file === '/sys/fs/cgroup' ? root : file === hybridUnifiedMount ? unified : undefined),
    read: (file) => (file === `${hybridUnifiedMount}/cgroup.controllers` ? controllers : undefined),
  };
}

describe('the cgroup layout crun refuses', () => {
  it('is a hybrid host with a controller in its v2 hierarchy', () => {
    expect(hybridWithV2Controllers(host(TMPFS, CGROUP2, 'hugetlb\n'))).toBe(true);
    expect(hybridWithV2Controllers(host(TMPFS, CGROUP2, 'cpu io memory\n'))).toBe(true);
  });

  it('is not a hybrid host whose v2 hierarchy has no controller, nor a v1 or a v2 host', () => {
    expect(hybridWithV2Controllers(host(TMPFS, CGROUP2, '\n'))).toBe(false);
    expect(hybridWithV2Controllers(host(TMPFS, CGROUP2, undefined))).toBe(false);
    expect(hybridWithV2Controllers(host(TMPFS, undefined))).toBe(false);
    expect(hybridWithV2Controllers(host(TMPFS, CGROUP1, 'x'))).toBe(false);
    expect(hybridWithV2Controllers(host(CGROUP2, undefined))).toBe(false);
    expect(hybridWithV2Controllers(host(undefined, undefined))).toBe(false);
  });
});

describe('runtimeCommand', () => {
  const args = ['--root', '/run/tsbuild/crun', 'run', '--bundle', '/b', 'tsb-1'];

  it('starts runc as it is, whatever the host', () => {
    expect(runtimeCommand('runc', args, () => true)).toEqual({ command: 'runc', args });
    expect(runtimeCommand('/usr/sbin/runc', args, () => true)).toEqual({ command: '/usr/sbin/runc', args });
  });

  it('starts crun as it is where the host needs nothing detached', () => {
    expect(runtimeCommand('crun', args, () => false)).toEqual({ command: 'crun', args });
  });

  it.runIf(process.arch === 'x64' || process.arch === 'arm64')(
    'starts crun through perl in a namespace without the v2 mount on a hybrid host',
    () => {
      const { command, args: words } = runtimeCommand('/usr/bin/crun', args, () => true);
      expect(command).toBe('perl');
      expect(words[0]).toBe('-e');
      const numbers = process.arch === 'x64' ? ['272', '165', '166'] : ['97', '40', '39'];
      expect(words.slice(2)).toEqual([...numbers, hybridUnifiedMount, '/usr/bin/crun', ...args]);
    },
  );

  it('does not probe the host for runc', () => {
    let probed = false;
    runtimeCommand('runc', args, () => {
      probed = true;
      return true;
    });
    expect(probed).toBe(false);
  });
});

describe('defaultStateRoot', () => {
  it('keeps each runtime’s containers apart, runc where it always was', () => {
    expect(defaultStateRoot('runc')).toBe('/run/tsbuild/runc');
    expect(defaultStateRoot('/usr/bin/crun')).toBe('/run/tsbuild/crun');
    expect(defaultStateRoot('/opt/rt/my-runtime')).toBe('/run/tsbuild/my-runtime');
  });
});

describe('a runtime that is not there', () => {
  it('is found by path or in PATH only when it is an executable file', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tsb-rt-'));
    try {
      await writeFile(path.join(dir, 'myrt'), '#!/bin/sh\n');
      await writeFile(path.join(dir, 'plain'), 'not executable\n');
      await chmod(path.join(dir, 'myrt'), 0o755);
      expect(runtimeExecutable(path.join(dir, 'myrt'))).toBe(true);
      expect(runtimeExecutable('myrt', `/nonexistent:${dir}`)).toBe(true);
      expect(runtimeExecutable('myrt', '/nonexistent')).toBe(false);
      expect(runtimeExecutable(path.join(dir, 'plain'))).toBe(false);
      expect(runtimeExecutable(path.join(dir, 'missing'))).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('fails the container with a RuntimeError naming it, not as the command exiting 127', async () => {
    const run = runContainer({ spec: {} as OciSpec, bundleDir: '/nonexistent/bundle', runtime: '/nonexistent/crun' });
    await expect(run).rejects.toThrow(
      new RuntimeError(
        'cannot run the OCI runtime /nonexistent/crun: not found (install it, or name it with --runtime)',
        127,
      ),
    );
  });
});
