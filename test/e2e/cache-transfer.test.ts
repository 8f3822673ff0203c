// --cache-to / --cache-from between two stores (two TSBUILD_ROOTs, like two CI runners): store A builds
// and exports its cache, store B imports it and builds the same Dockerfile and context without running a
// single step, ending with A's image digest.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuildCliOptions } from '../../cli/commands/build/run.js';
import { CacheMediaType, parseCacheSpec } from '../../executor/index.js';
import { compressedImage, type Store, sha256Digest } from '../../image/index.js';
import { type DistributionServer, startDistribution } from '../image/registry/distribution-server.js';
import { buildCommand } from './build-command.js';
import { freshDir, isolationUnavailable, removeFreshDirs, storeWithBusybox, writeContext } from './helpers.js';

const cli = (store: Store, opts: Partial<BuildCliOptions> & { context: string }) =>
  buildCommand(store, { tags: ['app:1'], progress: 'plain', ...opts });

/** The names of the step vertices (`[2/3] COPY …`, not FROM) and of those that ended CACHED. */
function stepVertices(log: string): { steps: string[]; cached: string[] } {
  const names = new Map<string, string>();
  const steps: string[] = [];
  const cached: string[] = [];
  for (const line of log.split('\n')) {
    const named = /^#(\d+) (\[.*)$/.exec(line);
    if (named && !names.has(named[1]) && !named[2].startsWith('[internal]') && !/^\[[^\]]*\] FROM /.test(named[2])) {
      names.set(named[1], named[2]);
      steps.push(named[2]);
    }
    const done = /^#(\d+) CACHED$/.exec(line);
    if (done && names.has(done[1])) cached.push(names.get(done[1]) as string);
  }
  return { steps, cached };
}

const singleStage = 'FROM busybox\nCOPY a.txt /a.txt\nRUN cat /a.txt /a.txt > /b.txt\nCMD ["cat", "/b.txt"]\n';
const multiStage =
  'FROM busybox AS builder\nCOPY a.txt /src/a.txt\nRUN cp /src/a.txt /out.txt && echo built >> /out.txt\n' +
  'FROM busybox\nCOPY --from=builder /out.txt /out.txt\nRUN cat /out.txt > /copy.txt\n';

async function contextWith(dockerfile: string): Promise<string> {
  const ctx = await freshDir('c');
  await writeContext(ctx, [
    { path: 'Dockerfile', content: dockerfile },
    { path: 'a.txt', content: 'cache me\n' },
  ]);
  return ctx;
}

describe('cache spec parsing', () => {
  it('reads local and registry specs with their mode', () => {
    expect(parseCacheSpec('type=local,dest=/tmp/c,mode=max', 'to')).toEqual({
      type: 'local',
      dir: '/tmp/c',
      mode: 'max',
    });
    expect(parseCacheSpec('type=local,src=/tmp/c', 'from')).toEqual({ type: 'local', dir: '/tmp/c', mode: 'min' });
    expect(parseCacheSpec('type=registry,ref=127.0.0.1:5000/cache/app:b', 'to')).toEqual({
      type: 'registry',
      ref: { domain: '127.0.0.1:5000', path: 'cache/app', tag: 'b' },
      mode: 'min',
    });
    expect(parseCacheSpec('127.0.0.1:5000/cache/app:b', 'from')).toMatchObject({ type: 'registry' });
    expect(parseCacheSpec('type=inline', 'to')).toEqual({ type: 'inline' });
    expect(parseCacheSpec('type=inline,mode=min', 'to')).toEqual({ type: 'inline' });
  });

  it('rejects what it cannot use with a clear message', () => {
    expect(() => parseCacheSpec('type=s3,bucket=x', 'to')).toThrow(
      'unsupported cache type "s3" in "type=s3,bucket=x": expected local, registry or inline',
    );
    expect(() => parseCacheSpec('type=inline,mode=max', 'to')).toThrow(
      `type=inline holds the image's own layers only: mode=max in "type=inline,mode=max"`,
    );
    expect(() => parseCacheSpec('type=inline', 'from')).toThrow(
      "type=inline is for --cache-to: import an image's inline cache with --cache-from type=registry,ref=IMAGE",
    );
    expect(() => parseCacheSpec('type=local,src=/x', 'to')).toThrow(
      'type=local cache needs dest=DIR: "type=local,src=/x"',
    );
    expect(() => parseCacheSpec('type=local,dest=/x,mode=all', 'to')).toThrow(
      'invalid cache mode "all" in "type=local,dest=/x,mode=all": expected min or max',
    );
  });
});

describe.skipIf(isolationUnavailable() !== undefined)('cache export and import between two stores', () => {
  afterAll(removeFreshDirs);

  it('type=local: B builds from A’s exported cache without running a step, with A’s image digest', async () => {
    const [a, b] = [await storeWithBusybox(), await storeWithBusybox()];
    const ctx = await contextWith(singleStage);
    const cacheDir = path.join(await freshDir('x'), 'cache');

    const first = await cli(a, { context: ctx, cacheTo: [`type=local,dest=${cacheDir}`] });
    expect(first.stderr).toContain('cache miss');
    expect(first.code).toBe(0);
    expect(first.stderr).toContain(`exporting cache to type=local ${cacheDir}`);

    const index = JSON.parse(await readFile(path.join(cacheDir, 'index.json'), 'utf8'));
    expect(index.manifests).toHaveLength(1);
    const manifestFile = path.join(cacheDir, 'blobs/sha256', index.manifests[0].digest.slice(7));
    const manifest = JSON.parse(await readFile(manifestFile, 'utf8'));
    expect(manifest.artifactType).toBe(CacheMediaType.artifact);
    expect(manifest.config.mediaType).toBe(CacheMediaType.config);
    const config = JSON.parse(
      await readFile(path.join(cacheDir, 'blobs/sha256', manifest.config.digest.slice(7)), 'utf8'),
    );
    expect(config.records.map((r: { kind: string }) => r.kind).sort()).toEqual(['image', 'step', 'step']);

    const second = await cli(b, { context: ctx, cacheFrom: [`type=local,src=${cacheDir}`] });
    expect(second.code).toBe(0);
    expect(second.stderr).not.toContain('cache miss');
    expect(second.stderr).toContain('3 records imported');
    const vertices = stepVertices(second.stderr);
    expect(vertices.steps).toEqual(['[2/3] COPY a.txt /a.txt', '[3/3] RUN cat /a.txt /a.txt > /b.txt']);
    expect(vertices.cached).toEqual(vertices.steps);
    expect(second.stdout).toBe(first.stdout);
    expect((await b.resolve('app:1')).manifestDigest).toBe((await a.resolve('app:1')).manifestDigest);
  });

  it('BUILDKIT_INLINE_CACHE=1 puts the records in the config and leaves the layers as they are', async () => {
    const store = await storeWithBusybox();
    const ctx = await contextWith(singleStage);
    const plain = await cli(store, { context: ctx, tags: ['plain:1'] });
    const inlined = await cli(store, { context: ctx, tags: ['inline:1'], buildArgs: ['BUILDKIT_INLINE_CACHE=1'] });
    expect([plain.code, inlined.code]).toEqual([0, 0]);
    const [without, within] = [await store.resolve('plain:1'), await store.resolve('inline:1')];
    expect(within.manifest.layers).toEqual(without.manifest.layers);
    const { 'dev.tsbuild.cache.v1': field, ...rest } = within.config as unknown as Record<string, unknown>;
    expect(rest).toEqual(without.config);
    const records = (field as { records: { key: string; layer: number; created: string }[] }).records;
    expect(records.map((r) => r.layer).sort()).toEqual([1, 2]);
    expect(records.every((r) => /^sha256:[0-9a-f]{64}$/.test(r.key) && r.created !== '')).toBe(true);
    // The same build again gives the same image: the field is written deterministically.
    const again = await cli(store, { context: ctx, tags: ['inline:2'], buildArgs: ['BUILDKIT_INLINE_CACHE=true'] });
    expect(again.code).toBe(0);
    expect((await store.resolve('inline:2')).manifestDigest).toBe(within.manifestDigest);
  });

  it('mode=min covers the stages the final image is built FROM', async () => {
    const [a, b] = [await storeWithBusybox(), await storeWithBusybox()];
    const ctx = await contextWith(
      'FROM busybox AS base\nCOPY a.txt /a.txt\nFROM base AS final\nRUN cat /a.txt > /b.txt\n',
    );
    const cacheDir = path.join(await freshDir('x'), 'cache');
    const first = await cli(a, { context: ctx, cacheTo: [`type=local,dest=${cacheDir},mode=min`] });
    expect(first.code).toBe(0);
    const second = await cli(b, { context: ctx, cacheFrom: [`type=local,src=${cacheDir}`] });
    expect(second.code).toBe(0);
    expect(second.stderr).not.toContain('cache miss');
    expect(second.stderr).toContain('3 records imported');
    expect(second.stdout).toBe(first.stdout);
  });

  it('a missing local cache is a note, and a tampered blob is refused: the build runs its steps', async () => {
    const [a, b] = [await storeWithBusybox(), await storeWithBusybox()];
    const ctx = await contextWith(singleStage);
    const cacheDir = path.join(await freshDir('x'), 'cache');
    const empty = await cli(a, { context: ctx, cacheFrom: [`type=local,src=${cacheDir}`] });
    expect(empty.code).toBe(0);
    expect(empty.stderr).toContain('no cache found');

    const exported = await cli(a, { context: ctx, cacheTo: [`type=local,dest=${cacheDir},mode=max`] });
    expect(exported.code).toBe(0);
    const index = JSON.parse(await readFile(path.join(cacheDir, 'index.json'), 'utf8'));
    const manifest = JSON.parse(
      await readFile(path.join(cacheDir, 'blobs/sha256', index.manifests[0].digest.slice(7)), 'utf8'),
    );
    const layer = manifest.layers.find((l: { mediaType: string }) => l.mediaType.includes('layer'));
    await writeFile(path.join(cacheDir, 'blobs/sha256', layer.digest.slice(7)), 'not the layer');

    const second = await cli(b, { context: ctx, cacheFrom: [`type=local,src=${cacheDir}`] });
    expect(second.code).toBe(0);
    const got = sha256Digest('not the layer');
    expect(second.stderr).toContain(
      `WARNING: cache import failed: digest mismatch: expected ${layer.digest}, got ${got}`,
    );
    expect(second.stderr).toContain('cache miss');
    expect(await b.hasBlob(got)).toBe(false);
  });

  describe('type=registry (Debian docker-registry on loopback)', () => {
    let registry: DistributionServer;
    beforeAll(async () => {
      registry = await startDistribution();
    }, 30_000);
    afterAll(async () => {
      await registry?.stop();
    });

    it('mode=max carries every stage: B runs no step and ends with A’s image digest', async () => {
      const [a, b] = [await storeWithBusybox(), await storeWithBusybox()];
      const ctx = await contextWith(multiStage);
      const ref = `${registry.host}/cache/app:buildcache`;

      const first = await cli(a, { context: ctx, cacheTo: [`type=registry,ref=${ref},mode=max`] });
      expect(first.stderr).toContain(`exporting cache to type=registry ${ref}`);
      expect(first.code).toBe(0);

      const second = await cli(b, { context: ctx, cacheFrom: [`type=registry,ref=${ref}`] });
      expect(second.code).toBe(0);
      expect(second.stderr).not.toContain('cache miss');
      expect(second.stderr).toContain('5 records imported');
      const vertices = stepVertices(second.stderr);
      expect(vertices.steps).toHaveLength(4);
      expect(vertices.cached).toEqual(vertices.steps);
      expect(second.stdout).toBe(first.stdout);
      // The same image id; B's manifest is the exported form of A's (a registry cache ships compressed layers, the
      // digest `push` gives), while A keeps its uncompressed layers locally.
      const [imageA, imageB] = [await a.resolve('app:1'), await b.resolve('app:1')];
      expect(imageB.configDigest).toBe(imageA.configDigest);
      expect(imageB.manifestDigest).toBe((await compressedImage(a, imageA.manifestDigest)).digest);
    }, 60_000);

    it('type=inline: the pushed image carries its cache; B builds from the image alone without running a step', async () => {
      const [a, b] = [await storeWithBusybox(), await storeWithBusybox()];
      const ctx = await contextWith(singleStage);
      const ref = `${registry.host}/cache/inline:1`;
      const first = await cli(a, { context: ctx, tags: [ref], push: true, cacheTo: ['type=inline'] });
      expect(first.code).toBe(0);
      const imageA = await a.resolve(ref);
      const inline = (imageA.config as unknown as Record<string, unknown>)['dev.tsbuild.cache.v1'];
      // The COPY and the RUN, each naming its layer in the image (the base image's is layer 0).
      expect(inline).toMatchObject({ schemaVersion: 1, records: expect.any(Array) });
      const layers = (inline as { records: { layer: number }[] }).records.map((r) => r.layer).sort();
      expect(layers).toEqual([1, 2]);

      const second = await cli(b, { context: ctx, tags: ['app:1'], cacheFrom: [ref] });
      expect(second.code).toBe(0);
      expect(second.stderr).toContain('2 records imported');
      expect(second.stderr).not.toContain('cache miss');
      const vertices = stepVertices(second.stderr);
      expect(vertices.steps).toHaveLength(2);
      expect(vertices.cached).toEqual(vertices.steps);
      // B's image is A's without the cache field: same layers, same config otherwise.
      const imageB = await b.resolve('app:1');
      const { 'dev.tsbuild.cache.v1': _, ...configA } = imageA.config as unknown as Record<string, unknown>;
      expect(imageB.config).toEqual(configA);
      expect(imageB.config.rootfs.diff_ids).toEqual(imageA.config.rootfs.diff_ids);
    }, 60_000);

    it('an image without tsbuild inline cache given as --cache-from is a warning; the build runs its steps', async () => {
      const [a, b] = [await storeWithBusybox(), await storeWithBusybox()];
      const ctx = await contextWith(singleStage);
      const ref = `${registry.host}/cache/plain:1`;
      expect((await cli(a, { context: ctx, tags: [ref], push: true })).code).toBe(0);
      const second = await cli(b, { context: ctx, cacheFrom: [ref] });
      expect(second.code).toBe(0);
      expect(second.stderr).toContain(
        `WARNING: cache import failed: cache ${registry.host}/cache/plain:1 is an image without tsbuild's inline cache`,
      );
      expect(second.stderr).toContain('cache miss');
    }, 60_000);

    it('a tag that does not exist yet is an empty cache, not an error', async () => {
      const b = await storeWithBusybox();
      const ctx = await contextWith(singleStage);
      const result = await cli(b, { context: ctx, cacheFrom: [`type=registry,ref=${registry.host}/cache/none:x`] });
      expect(result.code).toBe(0);
      expect(result.stderr).toContain('no cache found');
      expect(result.stderr).toContain('cache miss');
    }, 60_000);
  });
});
