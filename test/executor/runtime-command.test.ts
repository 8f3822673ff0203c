import { describe, expect, it } from 'vitest';
import {
  type CgroupProbe,
  defaultStateRoot,
  hybridUnifiedMount,
  hybridWithV2Controllers,
  runtimeCommand,
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
