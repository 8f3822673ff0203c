// Isolation of RUN in real builds. From inside a step the host's processes, mounts, hostname and
// files are out of sight. Symlinks a step plants (to a host directory, to a host file standing in
// for /etc/shadow, to `/`, climbing with `..`) never let a later COPY, ADD, WORKDIR, cache, bind,
// tmpfs or secret mount write outside the rootfs: a marker directory on the host stays exactly as it
// was after every case. (hostile.test.ts covers the same for COPY/WORKDIR through image symlinks.)
import { lstat, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { exportFilesystem } from '../../executor/index.js';
import type { Store } from '../../image/index.js';
import { crunUnavailable } from '../executor/helpers.js';
import {
  type BuildRun,
  buildIn,
  freshDir,
  isolationUnavailable,
  removeFreshDirs,
  storeWithBusybox,
  writeContext,
} from './helpers.js';

// Every case with each runtime this machine can run (CI installs both).
const runtimes = ['runc', ...(crunUnavailable() === undefined ? ['crun'] : [])];

describe.skipIf(isolationUnavailable() !== undefined).each(runtimes)('RUN isolation with %s', (runtime) => {
  afterAll(removeFreshDirs);
  let store: Store;
  let marker: string;
  let secretFile: string;

  beforeAll(async () => {
    store = await storeWithBusybox();
    marker = await freshDir('mk');
    await writeFile(path.join(marker, 'keep'), 'untouched\n');
    await writeFile(path.join(marker, 'shadow'), 'root:host-secret-hash:19000::::::\n', { mode: 0o600 });
    secretFile = path.join(await freshDir('sc'), 'token');
    await writeFile(secretFile, 'secret-value');
  });

  afterEach(async () => {
    expect((await readdir(marker)).sort()).toEqual(['keep', 'shadow']);
    expect(await readFile(path.join(marker, 'keep'), 'utf8')).toBe('untouched\n');
    expect(await readFile(path.join(marker, 'shadow'), 'utf8')).toBe('root:host-secret-hash:19000::::::\n');
  });

  async function buildWith(dockerfile: string, options: Parameters<typeof buildIn>[2] = {}): Promise<BuildRun> {
    const ctx = await freshDir('c');
    await writeContext(ctx, [
      { path: 'Dockerfile', content: dockerfile },
      { path: 'f', content: 'payload\n' },
      { path: 'dir/inner', content: 'inner\n' },
    ]);
    return buildIn(store, ctx, { noCache: true, runtime, ...options });
  }

  async function rootOf(run: BuildRun): Promise<string> {
    if (run.error) throw run.error;
    const out = await freshDir('o');
    await exportFilesystem(store, run.result!.fs, { type: 'local', dest: out });
    return out;
  }

  it("sees only its own processes: it is pid 1, and the test's own pid does not exist", async () => {
    const root = await rootOf(
      await buildWith(
        `FROM busybox\nRUN ls /proc | grep -E '^[0-9]+$' > /pids; tr '\\0' ' ' < /proc/1/cmdline > /cmd; test -e /proc/${process.pid} && echo visible > /host || echo hidden > /host\n`,
      ),
    );
    const pids = (await readFile(path.join(root, 'pids'), 'utf8')).trim().split('\n').map(Number);
    expect(pids[0]).toBe(1);
    expect(Math.max(...pids)).toBeLessThan(10);
    expect(await readFile(path.join(root, 'cmd'), 'utf8')).toMatch(/^\/bin\/sh -c ls \/proc/);
    expect(await readFile(path.join(root, 'host'), 'utf8')).toBe('hidden\n');
  });

  it('sees only its own mounts: none of the host’s mount points, no host path in the table', async () => {
    const root = await rootOf(await buildWith('FROM busybox\nRUN cat /proc/self/mountinfo > /mounts\n'));
    const table = await readFile(path.join(root, 'mounts'), 'utf8');
    const points = table
      .trim()
      .split('\n')
      .map((line) => line.split(' ')[4]);
    const allowed = new Set(['/', '/proc', '/dev', '/dev/pts', '/dev/shm', '/dev/mqueue', '/sys']);
    for (const point of points) {
      const ok =
        allowed.has(point) || /^\/etc\/(hosts|resolv\.conf|hostname)$/.test(point) || /^\/(proc|sys)\//.test(point);
      expect(ok, `unexpected mount point ${point}`).toBe(true);
    }
    // Bind mounts show their source path inside its filesystem (Docker's do too), but nothing of the
    // host's mount table itself: the store's mounts, the repo's filesystem, other containers.
    expect(points).not.toContain(store.root);
    expect(points.filter((p) => p.startsWith(store.root))).toEqual([]);
  });

  it('has its own hostname, not the host’s', async () => {
    const root = await rootOf(await buildWith('FROM busybox\nRUN hostname > /name; cat /etc/hostname > /file\n'));
    expect(await readFile(path.join(root, 'name'), 'utf8')).toBe('buildkitsandbox\n');
    expect(await readFile(path.join(root, 'file'), 'utf8')).toBe('buildkitsandbox\n');
    expect(os.hostname()).not.toBe('buildkitsandbox');
  });

  it('cannot see host files: absolute paths, `..` climbing and /proc/1/root all stay in the rootfs', async () => {
    const probe = (p: string) => `(cat ${p} 2>/dev/null || echo absent)`;
    const run = await buildWith(
      `FROM busybox\nRUN { ${probe(`${marker}/keep`)}; ${probe(`/../../../..${marker}/keep`)}; ${probe(`/proc/1/root${marker}/keep`)}; } > /seen\n`,
    );
    expect(await readFile(path.join(await rootOf(run), 'seen'), 'utf8')).toBe('absent\nabsent\nabsent\n');
  });

  const plant = () =>
    `RUN ln -s ${marker} /to-dir && ln -s ${marker}/shadow /to-shadow && ln -s / /to-root && ln -s ../../../../../..${marker} /climb`;

  it('COPY and ADD onto planted symlinks (a host dir, a host file, `/`, `..`) write inside the rootfs', async () => {
    const run = await buildWith(
      `FROM busybox\n${plant()}\nCOPY f /to-dir/\nCOPY f /to-shadow\nCOPY f /to-root${marker}/via-root\nADD dir /climb/added\nCOPY f /climb/climbed\n`,
    );
    const root = await rootOf(run);
    const inImage = path.join(root, marker);
    expect((await readdir(inImage)).sort()).toEqual(['added', 'climbed', 'f', 'shadow', 'via-root']);
    expect(await readFile(path.join(inImage, 'added/inner'), 'utf8')).toBe('inner\n');
    // COPY writes a file through a symlink at the destination, as fsutil's Copy (continuity's RootPath) does, to
    // where the link leads inside the rootfs: the link stays, the host's file of that name is untouched.
    expect((await lstat(path.join(root, 'to-shadow'))).isSymbolicLink()).toBe(true);
    expect(await readFile(path.join(inImage, 'shadow'), 'utf8')).toBe('payload\n');
  });

  it('WORKDIR through planted symlinks creates its directories inside the rootfs', async () => {
    const run = await buildWith(`FROM busybox\n${plant()}\nWORKDIR /to-dir/w1\nWORKDIR /climb/w2\nRUN touch here\n`);
    const root = await rootOf(run);
    expect((await readdir(path.join(root, marker))).sort()).toEqual(['w1', 'w2']);
    expect((await stat(path.join(root, marker, 'w2/here'))).isFile()).toBe(true);
  });

  it('cache, bind, tmpfs and secret mounts aimed through planted symlinks land inside the rootfs', async () => {
    const mounts = [
      '--mount=type=cache,target=/to-dir/cache',
      '--mount=type=bind,source=dir,target=/climb/bound,rw',
      '--mount=type=tmpfs,target=/to-root' + `${marker}/tmp`,
      '--mount=type=secret,id=token,target=/to-dir/secret',
    ].join(' ');
    const run = await buildWith(
      `FROM busybox\n${plant()}\nRUN ${mounts} touch /to-dir/cache/c /climb/bound/b ${marker}/tmp/t && cat /to-dir/secret > /copied\n`,
      { secrets: new Map([['token', { src: secretFile }]]) },
    );
    const root = await rootOf(run);
    expect(await readFile(path.join(root, 'copied'), 'utf8')).toBe('secret-value');
    // The mount points the runtime made inside the rootfs are empty and dropped from the layer.
    const inImage = await readdir(path.join(root, marker)).catch(() => []);
    expect(inImage.filter((name) => !['cache', 'bound', 'tmp', 'secret'].includes(name))).toEqual([]);
  });

  it('a cache id with `..` and a cache holding a symlink to the host stay in the store', async () => {
    const first = await buildWith(
      `FROM busybox\nRUN --mount=type=cache,id=../../../..${marker},target=/c ln -s ${marker} /c/out && echo ok > /ok\n`,
    );
    expect(first.error).toBeNull();
    // A later step writes through the link the cache kept: inside its own rootfs.
    const second = await buildWith(
      `FROM busybox\nRUN --mount=type=cache,id=../../../..${marker},target=/c mkdir -p ${marker} && echo x > /c/out/through-cache\n`,
    );
    const root = await rootOf(second);
    expect(await readFile(path.join(root, marker, 'through-cache'), 'utf8')).toBe('x\n');
  });
});
