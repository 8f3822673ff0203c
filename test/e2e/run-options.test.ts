// `tsbuild build --add-host/--shm-size/--ulimit`: what RUN steps see (their /etc/hosts with BuildKit's lines, the
// /dev/shm size, the limits), that the hosts file never lands in a layer, and that a host's address is not part of
// the cache key while its name is.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuildCliOptions } from '../../cli/commands/build/run.js';
import { readTar, type Store, uncompressedLayer } from '../../image/index.js';
import { buildCommand } from './build-command.js';
import { buildIn, freshDir, isolationUnavailable, removeFreshDirs, storeWithBusybox, writeContext } from './helpers.js';

const cli = (store: Store, opts: Partial<BuildCliOptions> & { context: string }) => buildCommand(store, opts);

const defaultHosts = '127.0.0.1\tlocalhost buildkitsandbox\n::1\tlocalhost ip6-localhost ip6-loopback\n';

describe.skipIf(isolationUnavailable() !== undefined)('tsbuild build --add-host, --shm-size, --ulimit', () => {
  afterAll(removeFreshDirs);
  let store: Store;
  beforeAll(async () => {
    store = await storeWithBusybox();
  });

  it('RUN steps see the extra hosts, the /dev/shm size and the limits; the hosts file stays out of the image', async () => {
    const ctx = await freshDir('c');
    await writeContext(ctx, [
      {
        path: 'Dockerfile',
        content:
          'FROM busybox\n' +
          'RUN cat /etc/hosts > /hosts && df -k /dev/shm > /df && grep " /dev/shm " /proc/mounts > /mounts\n' +
          'RUN ulimit -Sn > /nofile-soft && ulimit -Hn > /nofile-hard && ulimit -c > /core\n' +
          'RUN --network=none cat /etc/hosts > /hosts-none\n',
      },
    ]);
    const out = await freshDir('o');
    const built = await cli(store, {
      context: ctx,
      quiet: true,
      addHosts: ['db:10.0.0.5', 'V6=[2001:DB8::0001]', 'gw:host-gateway'],
      shmSize: '1g',
      // core=-1 (unlimited) reaches runc as RLIM_INFINITY; raising a hard limit above this process's own needs a
      // privilege test machines may lack, so the limit chosen is one they leave unlimited.
      ulimits: ['nofile=1024:2048', 'core=-1'],
      outputs: [`type=local,dest=${out}`],
    });
    expect({ code: built.code, stderr: built.stderr }).toEqual({ code: 0, stderr: '' });
    const read = (name: string) => readFile(path.join(out, name), 'utf8');
    const hosts = `${defaultHosts}10.0.0.5\tdb\n2001:db8::1\tv6\n127.0.0.1\tgw\n`;
    expect(await read('hosts')).toBe(hosts);
    expect(await read('hosts-none')).toBe(hosts);
    // 1 GiB in 1K blocks, in df's second line and in the mount's options.
    expect((await read('df')).split('\n')[1]?.split(/\s+/)[1]).toBe('1048576');
    expect(await read('mounts')).toMatch(/^shm \/dev\/shm tmpfs \S*size=1048576k/);
    const limits = await Promise.all(['nofile-soft', 'nofile-hard', 'core'].map(read));
    expect(limits).toEqual(['1024\n', '2048\n', 'unlimited\n']);
    // busybox has no /etc/hosts: the bound file is the runtime's, never the image's.
    await expect(readFile(path.join(out, 'etc/hosts'))).rejects.toThrow(/ENOENT/);
  });

  it('without the options RUN steps get the default hosts file, a 64 MiB /dev/shm and nofile 1024', async () => {
    const ctx = await freshDir('c');
    await writeContext(ctx, [
      {
        path: 'Dockerfile',
        content: 'FROM busybox\nRUN cat /etc/hosts > /hosts && df -k /dev/shm > /df && ulimit -n > /nofile\n',
      },
    ]);
    const out = await freshDir('o');
    const built = await cli(store, { context: ctx, quiet: true, outputs: [`type=local,dest=${out}`] });
    expect(built.code).toBe(0);
    const read = (name: string) => readFile(path.join(out, name), 'utf8');
    expect(await read('hosts')).toBe(defaultHosts);
    expect((await read('df')).split('\n')[1]?.split(/\s+/)[1]).toBe('65536');
    expect(await read('nofile')).toBe('1024\n');
  });

  it('no layer holds /etc/hosts, /etc/resolv.conf or /etc/hostname', async () => {
    const ctx = await freshDir('c');
    await writeContext(ctx, [
      { path: 'Dockerfile', content: 'FROM busybox\nRUN cat /etc/hosts /etc/resolv.conf /etc/hostname > /seen\n' },
    ]);
    const run = await buildIn(store, ctx, { run: { extraHosts: [{ name: 'db', ip: '10.0.0.5' }] } });
    expect(run.error).toBeNull();
    const names: string[] = [];
    for (const layer of run.result?.fs.layers ?? []) {
      for await (const entry of readTar(uncompressedLayer(store, layer))) {
        names.push(entry.header.path);
        for await (const _ of entry.body()) {
          // drained
        }
      }
    }
    expect(names).toContain('seen');
    expect(names.filter((n) => /^(\.\/)?etc\/(hosts|resolv\.conf|hostname)$/.test(n))).toEqual([]);
  });

  it('a new address for a host keeps the cache; a new host name does not', async () => {
    const ctx = await freshDir('c');
    await writeContext(ctx, [{ path: 'Dockerfile', content: 'FROM busybox\nRUN grep db /etc/hosts > /db\n' }]);
    /** Whether the RUN step's vertex ended CACHED in plain progress. */
    const runCached = async (addHosts: string[]) => {
      const built = await cli(store, { context: ctx, addHosts, progress: 'plain' });
      expect(built.code).toBe(0);
      const vertex = /^#(\d+) \[2\/2\] RUN grep db/m.exec(built.stderr)?.[1];
      expect(vertex).toBeDefined();
      return built.stderr.split('\n').includes(`#${vertex} CACHED`);
    };
    expect(await runCached(['db:10.0.0.5'])).toBe(false);
    expect(await runCached(['db:10.0.0.6'])).toBe(true);
    expect(await runCached(['DB=::1'])).toBe(true);
    expect(await runCached(['db:10.0.0.5', 'cache:10.0.0.7'])).toBe(false);
    expect(await runCached([])).toBe(false);
  });
});
