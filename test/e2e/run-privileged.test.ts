// RUN --security=insecure: refused before any step runs unless the build grants security.insecure (`--allow`);
// granted, that step runs privileged (every capability tsbuild holds, no seccomp, mounts, devices, writable /sys)
// while the build's other steps stay in the sandbox.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BuildError, exportFilesystem } from '../../executor/index.js';
import type { Store } from '../../image/index.js';
import { buildIn, freshDir, isolationUnavailable, removeFreshDirs, storeWithBusybox, writeContext } from './helpers.js';

const dockerfile =
  'FROM busybox\n' +
  'RUN echo ran > /first\n' +
  'RUN --security=insecure grep -E "^(Seccomp|CapEff):" /proc/self/status > /insecure && ' +
  'mkdir -p /mnt/t && mount -t tmpfs none /mnt/t && touch /mnt/t/inside && ' +
  'test -c /dev/fuse && test -c /dev/net/tun && test -b /dev/loop0 && ' +
  'grep -c " /sys rw," /proc/self/mountinfo >> /insecure\n' +
  'RUN grep -E "^Seccomp:" /proc/self/status > /sandbox && mkdir -p /mnt/u && ' +
  '(mount -t tmpfs none /mnt/u 2>/dev/null && echo mounted || echo refused) >> /sandbox\n';

describe.skipIf(isolationUnavailable() !== undefined)('RUN --security=insecure', () => {
  afterAll(removeFreshDirs);
  let store: Store;
  beforeAll(async () => {
    store = await storeWithBusybox();
  });

  it('fails the build before any step runs when security.insecure is not granted', async () => {
    const ctx = await freshDir('c');
    await writeContext(ctx, [{ path: 'Dockerfile', content: dockerfile }]);
    for (const allow of [undefined, ['network.host' as const]]) {
      const run = await buildIn(store, ctx, { noCache: true, ...(allow === undefined ? {} : { allow }) });
      expect(run.error?.message).toBe(
        'security.insecure is not allowed (tsbuild build --allow security.insecure grants it)',
      );
      expect((run.error as BuildError).details.line).toBe(3);
      expect(run.log).not.toContain('RUN echo ran');
    }
  });

  it('granted, runs that step privileged and keeps the other steps sandboxed', async () => {
    const ctx = await freshDir('c');
    await writeContext(ctx, [{ path: 'Dockerfile', content: dockerfile }]);
    const run = await buildIn(store, ctx, { noCache: true, allow: ['security.insecure'] });
    expect(run.error).toBeNull();
    const out = await freshDir('o');
    await exportFilesystem(store, run.result!.fs, { type: 'local', dest: out });
    // Every capability of tsbuild's own bounding set, no seccomp filter, /sys writable.
    const bounding = /^CapBnd:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'latin1'))![1];
    expect(await readFile(path.join(out, 'insecure'), 'utf8')).toBe(`CapEff:\t${bounding}\nSeccomp:\t0\n1\n`);
    expect(await readFile(path.join(out, 'sandbox'), 'utf8')).toBe('Seccomp:\t2\nrefused\n');
    // What the step mounted is not in its layer: only the mount point.
    const layers = run.result!.fs.layers;
    const listing = execFileSync('tar', ['-tf', store.blobPath(layers[layers.length - 2]!.digest)], {
      encoding: 'utf8',
    });
    expect(listing.split('\n').filter((l) => l !== '')).toEqual(['insecure', 'mnt/', 'mnt/t/']);
  });
});
