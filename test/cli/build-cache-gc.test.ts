// The build cache's size and last use (`system df`), pruning it as `docker builder prune` does (filters, space
// limits, least recently used first, --all and shared records), and the collector after a build; on a real store
// whose records are aged by setting their mtimes, as a build's use sets them.
import { mkdir, readdir, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run as df } from '../../cli/commands/df/run.js';
import { collectAfterBuild } from '../../cli/commands/prune/auto-gc.js';
import { run as prune } from '../../cli/commands/prune/run.js';
import { lookupStep, recordStep } from '../../executor/build/cache-index.js';
import { collectBuildCache, readCacheUsage } from '../../executor/index.js';
import { type Digest, OciMediaType } from '../../image/index.js';
import { capture, type TempStore, tempStore } from './image-helpers.js';

let t: TempStore;
beforeEach(async () => {
  t = await tempStore();
});
afterEach(async () => {
  await t.cleanup();
});

const hour = 3_600_000;
const keyOf = (c: string) => `sha256:${c.repeat(64)}`;
const recordFile = (c: string) => path.join(t.store.paths.cache, 'build', `s-${c.repeat(64)}.json`);

/** A step record under key `c…c` whose layer is `bytes` bytes (uncompressed, no snapshot), last used `age` ago. */
async function record(c: string, bytes: number, ageMs: number, description = `RUN step ${c}`): Promise<Digest> {
  const blob = await t.store.putBlob(Buffer.alloc(bytes, c));
  const layer = { digest: blob.digest, size: blob.size, mediaType: OciMediaType.layer, diffId: blob.digest };
  await recordStep(t.store, keyOf(c), { layer, created: new Date(Date.now() - 5 * hour).toISOString(), description });
  await age(recordFile(c), ageMs);
  return blob.digest;
}

async function age(file: string, ageMs: number): Promise<void> {
  const when = (Date.now() - ageMs) / 1000;
  await utimes(file, when, when);
}

/** Tags an image whose only layer is `layer` (so records naming it are shared). */
async function tagImage(name: string, layer: Digest, size: number): Promise<Digest> {
  const config = await t.store.putConfig({
    architecture: 'amd64',
    os: 'linux',
    created: '2020-01-02T03:04:05Z',
    rootfs: { type: 'layers', diff_ids: [layer] },
  });
  const manifest = await t.store.putManifest({
    schemaVersion: 2,
    mediaType: OciMediaType.manifest,
    config,
    layers: [{ mediaType: OciMediaType.layer, digest: layer, size }],
  });
  await t.store.tag(name, manifest.digest);
  return manifest.digest;
}

async function remainingKeys(): Promise<string[]> {
  return (await readdir(path.join(t.store.paths.cache, 'build'))).map((n) => n.slice(2, 3)).sort();
}

describe('last use', () => {
  it('a build lookup marks the record used (its mtime), a peek does not, and a missing record stays a miss', async () => {
    await record('a', 100, 5 * hour);
    const before = (await stat(recordFile('a'))).mtimeMs;
    expect(await lookupStep(t.store, keyOf('a'))).not.toBeNull();
    expect((await stat(recordFile('a'))).mtimeMs).toBe(before);
    expect(await lookupStep(t.store, keyOf('a'), 'use')).not.toBeNull();
    expect((await stat(recordFile('a'))).mtimeMs).toBeGreaterThan(Date.now() - 60_000);
    expect(await lookupStep(t.store, keyOf('b'), 'use')).toBeNull();
    expect(await readdir(path.join(t.store.paths.cache, 'build'))).toEqual([`s-${'a'.repeat(64)}.json`]);
  });
});

describe('tsbuild system df', () => {
  it('--format renders the summary rows as docker does: table TEMPLATE, json, a template, its errors', async () => {
    await record('a', 1000, 3 * hour, 'RUN make');
    const run = async (format: string, verbose = false) => {
      const c = capture();
      const code = await df({ root: t.root, format, verbose }, c.io);
      return { code, out: c.out(), err: c.err() };
    };
    expect(await run('table {{.Type}}\t{{.Size}}')).toEqual({
      code: 0,
      out: 'TYPE          SIZE\nImages        0B\nBuild Cache   1kB\n',
      err: '',
    });
    expect((await run('json')).out).toBe(
      [
        '{"Active":"0","Reclaimable":"0B","Size":"0B","TotalCount":"0","Type":"Images"}',
        '{"Active":"0","Reclaimable":"1kB","Size":"1kB","TotalCount":"1","Type":"Build Cache"}',
        '',
      ].join('\n'),
    );
    expect((await run('{{.Type}}={{.TotalCount}}/{{.Active}}')).out).toBe('Images=0/0\nBuild Cache=1/0\n');
    expect(await run('{{.Type}}: {{.Bogus}}')).toEqual({
      code: 1,
      out: '',
      err: 'template parsing error: template: :1:13: executing "" at <.Bogus>: can\'t evaluate field Bogus in type *formatter.diskUsageImagesContext\n',
    });
    expect((await run('table')).out).toBe((await run('')).out);
    expect(await run('json', true)).toEqual({
      code: 1,
      out: '',
      err: 'tsbuild: --format with -v takes only `table` (the listing as -v prints it)\n',
    });
  });

  it('prints images and build cache in docker system df columns, and the records with -v', async () => {
    await record('a', 1000, 3 * hour, 'RUN make');
    const shared = await record('b', 2000, 2 * hour, 'COPY . /src');
    const manifest = await tagImage('app:1', shared, 2000);
    const imageBytes =
      2000 +
      (await t.store.blobSize(manifest)) +
      (await t.store.blobSize((await t.store.resolve('app:1')).configDigest));
    const human = `${(imageBytes / 1000).toPrecision(4)}kB`;
    const c = capture();
    expect(await df({ root: t.root }, c.io)).toBe(0);
    expect(c.out()).toBe(
      [
        'TYPE          TOTAL     ACTIVE    SIZE      RECLAIMABLE',
        `Images        1         0         ${human.padEnd(10)}${human} (100%)`,
        'Build Cache   2         0         1kB       1kB',
        '',
      ].join('\n'),
    );
    const v = capture();
    expect(await df({ root: t.root, verbose: true, now: Date.now() }, v.io)).toBe(0);
    const cache = v.out().slice(v.out().indexOf('\nBuild cache usage:'));
    expect(cache).toBe(
      [
        '',
        'Build cache usage: 1kB',
        '',
        'CACHE ID       CACHE TYPE   SIZE      CREATED       LAST USED     SHARED    DESCRIPTION',
        `${'a'.repeat(12)}   regular      1kB       5 hours ago   3 hours ago   false     RUN make`,
        `${'b'.repeat(12)}   regular      2kB       5 hours ago   2 hours ago   true      COPY . /src`,
        '',
      ].join('\n'),
    );
  });
});

describe('tsbuild prune --build-cache', () => {
  it('--keep-storage removes least recently used records first until the rest fits', async () => {
    await record('a', 1000, 3 * hour);
    await record('b', 1000, 1 * hour);
    await record('c', 1000, 2 * hour);
    const c = capture();
    expect(await prune({ root: t.root, keepRecentSeconds: 0, buildCache: true, keepStorage: '1500' }, c.io)).toBe(0);
    const lines = c.out().split('\n');
    expect(lines.slice(0, 4)).toEqual([
      'Deleted build cache objects:',
      'a'.repeat(64),
      'c'.repeat(64),
      'deleted build cache: 2 records, 0 cache mounts',
    ]);
    expect(c.out()).toMatch(/\nTotal reclaimed space: 2kB\n$/);
    expect(await remainingKeys()).toEqual(['b']);
  });

  it('--filter until= removes only records unused for longer; type= selects cache mounts', async () => {
    await record('a', 10, 3 * hour);
    await record('b', 10, 1 * hour);
    const mount = path.join(t.store.paths.cache, 'mounts', '0123456789abcdef');
    await mkdir(mount, { recursive: true });
    await writeFile(path.join(mount, 'f'), 'cached');
    await age(mount, 30 * hour);
    const c = capture();
    const until = { root: t.root, keepRecentSeconds: 0, buildCache: true, filters: ['until=90m'] };
    expect(await prune({ ...until, filters: ['type=exec.cachemount'] }, c.io)).toBe(0);
    expect(c.out()).toMatch(
      /^Deleted build cache objects:\n0123456789abcdef\ndeleted build cache: 0 records, 1 cache mount\n/,
    );
    expect(await remainingKeys()).toEqual(['a', 'b']);
    expect(await prune(until, capture().io)).toBe(0);
    expect(await remainingKeys()).toEqual(['b']);
  });

  it('keeps records an image shares unless --all, and never loses the tagged image', async () => {
    const layer = await record('a', 100, 2 * hour);
    await tagImage('app:1', layer, 100);
    await record('b', 100, 1 * hour);
    const c = capture();
    expect(await prune({ root: t.root, keepRecentSeconds: 0, buildCache: true }, c.io)).toBe(0);
    expect(c.out()).toMatch(/^Deleted build cache objects:\nb{64}\n/);
    expect(await remainingKeys()).toEqual(['a']);
    expect(await prune({ root: t.root, keepRecentSeconds: 0, buildCache: true, all: true }, capture().io)).toBe(0);
    expect(await readdir(path.join(t.store.paths.cache, 'build'))).toEqual([]);
    expect(await t.store.hasBlob(layer)).toBe(true);
    expect((await t.store.resolve('app:1')).manifest.layers[0]!.digest).toBe(layer);
  });

  it('keeps the records a build running in another process has used, and what it marks while we prune', async () => {
    const old = await record('a', 100, 3 * hour);
    await record('b', 100, 10_000);
    await record('c', 100, 2 * hour);
    // A build (our parent process: alive) that started a minute ago and has used record b since.
    const mark = path.join(t.store.paths.locks, `build-${process.ppid}`);
    await writeFile(mark, `${process.ppid}\n`);
    await age(mark, 60_000);
    const summary = capture();
    expect(await df({ root: t.root }, summary.io)).toBe(0);
    expect(summary.out()).toContain('\nBuild Cache   3         1         300B      200B\n');
    const listed = capture();
    expect(await df({ root: t.root, verbose: true }, listed.io)).toBe(0);
    expect(listed.out()).toMatch(
      /\nb{12}\* {3}regular {6}100B {6}5 hours ago {3}10 seconds ago {3}false {5}RUN step b\n/,
    );
    // Record c is used by a build after the collector listed it: the mark is seen, the record put back.
    const usage = await readCacheUsage(t.store);
    expect(await lookupStep(t.store, keyOf('c'), 'use')).not.toBeNull();
    const { removed } = await collectBuildCache(usage, [{ all: true }]);
    expect(removed.map((r) => r.id)).toEqual(['a'.repeat(64)]);
    expect(await remainingKeys()).toEqual(['b', 'c']);
    expect(await readdir(path.join(t.store.paths.cache, 'build'))).not.toContainEqual(expect.stringMatching(/\.gc-/));
    expect(await t.store.hasBlob(old)).toBe(true); // the blob goes with the store's prune, after the grace period
  });

  it('rejects bad filters and sizes as docker does, and cache options without --build-cache', async () => {
    const cases: [Parameters<typeof prune>[0], string][] = [
      [{ buildCache: true, filters: ['color=red'] }, "Error: invalid filter 'color'\n"],
      [{ buildCache: true, filters: ['until'] }, 'Error: bad format of filter (expected name=value)\n'],
      [
        { buildCache: true, filters: ['until=soon'] },
        `Error: "until" filter expects a duration (e.g., '24h'): time: invalid duration "soon"\n`,
      ],
      [
        { buildCache: true, filters: ['until=1h', 'unused-for=2h'] },
        'Error: conflicting filters: "until" and "unused-for"\n',
      ],
      [{ buildCache: true, filters: ['type=a', 'type=b'] }, 'Error: filters expect only one value\n'],
      [
        { buildCache: true, keepStorage: 'lots' },
        `Error: invalid argument "lots" for "--keep-storage" flag: invalid size: 'lots'\n`,
      ],
      [{ all: true }, 'Error: --all, --filter and the space options prune the build cache: add --build-cache\n'],
    ];
    for (const [options, message] of cases) {
      const c = capture();
      expect(await prune({ root: t.root, ...options }, c.io)).toBe(1);
      expect(c.err()).toBe(message);
    }
  });
});

describe('the collector after a build', () => {
  it('applies the default policies with the limits of the environment, at most once per interval', async () => {
    await record('a', 1000, 3 * hour);
    await record('b', 1000, 1 * hour);
    await record('c', 1000, 2 * hour);
    const env = { TSBUILD_GC_MAX_USED_SPACE: '1500', TSBUILD_GC_INTERVAL: '1h' };
    const start = Date.now();
    expect(await collectAfterBuild(t.store, { ...env, TSBUILD_GC: 'off' }, start)).toBeNull();
    // A store without a stamp (new, or older than the collector) starts its interval: nothing is looked at.
    expect(await collectAfterBuild(t.store, env, start)).toBeNull();
    expect(await remainingKeys()).toEqual(['a', 'b', 'c']);
    expect(await collectAfterBuild(t.store, env, start + 30 * 60_000)).toBeNull(); // within the interval
    const result = await collectAfterBuild(t.store, env, start + hour);
    expect(result?.removed.map((r) => r.id[0])).toEqual(['a', 'c']);
    expect(await remainingKeys()).toEqual(['b']);
    await record('d', 1000, 4 * hour);
    expect(await collectAfterBuild(t.store, env, start + hour + 1000)).toBeNull(); // within the interval
    const always = { ...env, TSBUILD_GC_INTERVAL: '0' };
    expect((await collectAfterBuild(t.store, always, start + hour + 2000))?.removed.length).toBe(1);
    expect(await remainingKeys()).toEqual(['b']);
  });

  it('collects on the first build of a store when the interval is 0', async () => {
    await record('a', 1000, 3 * hour);
    const env = { TSBUILD_GC_MAX_USED_SPACE: '1', TSBUILD_GC_INTERVAL: '0' };
    expect((await collectAfterBuild(t.store, env))?.removed.map((r) => r.id[0])).toEqual(['a']);
  });

  it('reports a bad setting', async () => {
    await expect(collectAfterBuild(t.store, { TSBUILD_GC_MAX_USED_SPACE: '5 parsecs' })).rejects.toThrow(
      "TSBUILD_GC_MAX_USED_SPACE: invalid size: '5 parsecs'",
    );
  });
});
