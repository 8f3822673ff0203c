// --cache-to / --cache-from for steps keyed by the content of a stage mount (RUN --mount=from=<stage>): their
// keys are completed at run time, so the export names them by the completed keys (with what each is made of)
// and the import keeps the records completing the plan's pending keys. Store B, empty, builds A's Dockerfile
// from A's cache without running the mounting RUN (its random nonce is A's); with other mounted content it
// runs it, and a record whose key is not made of its parts is refused.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportFilesystem } from '../../executor/index.js';
import { digestHex, type Store, sha256Digest } from '../../image/index.js';
import { type DistributionServer, startDistribution } from '../image/registry/distribution-server.js';
import {
  type BuildRun,
  buildIn,
  freshDir,
  isolationUnavailable,
  removeFreshDirs,
  storeWithBusybox,
  writeContext,
} from './helpers.js';

const mountingRun =
  'RUN --mount=from=build,src=out,target=/out cat /out/data > /seen && ' +
  "head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \\n' > /nonce";
const dockerfile = `FROM busybox AS build
COPY data /
RUN mkdir out && cp /data out/data
FROM busybox AS use
${mountingRun}
RUN cat /nonce > /nonce2
FROM scratch
COPY --from=use /seen /nonce /nonce2 /
`;

/** Names of the step vertices that ran (not CACHED), FROM and [internal] ones left out. */
function stepsRun(log: string): string[] {
  const names = new Map<string, string>();
  const cached = new Set<string>();
  for (const line of log.split('\n')) {
    const named = /^#(\d+) (\[.*)$/.exec(line);
    if (named && !names.has(named[1]) && !named[2].startsWith('[internal]') && !/^\[[^\]]*\] FROM /.test(named[2])) {
      names.set(named[1], named[2]);
    }
    if (/^#\d+ CACHED$/.test(line)) cached.add(line.slice(1, line.indexOf(' ')));
  }
  return [...names].filter(([id]) => !cached.has(id)).map(([, name]) => name);
}

async function contextWith(data: string): Promise<string> {
  const ctx = await freshDir('c');
  await writeContext(ctx, [
    { path: 'Dockerfile', content: dockerfile },
    { path: 'data', content: data },
  ]);
  return ctx;
}

async function filesOf(store: Store, run: BuildRun): Promise<Record<string, string>> {
  expect(run.error).toBeNull();
  const out = await freshDir('o');
  await exportFilesystem(store, run.result!.fs, { type: 'local', dest: out });
  const files: Record<string, string> = {};
  for (const name of ['seen', 'nonce', 'nonce2']) files[name] = await readFile(path.join(out, name), 'utf8');
  return files;
}

interface ExportedRecord {
  key: string;
  kind: string;
  completion?: { planned: string; parent: string | null; inputs: string[] };
}

/** The cache config of a type=local cache directory, and where it is stored. */
async function localCacheConfig(dir: string): Promise<{ file: string; records: ExportedRecord[] }> {
  const blob = (digest: string) => path.join(dir, 'blobs/sha256', digestHex(digest as `sha256:${string}`));
  const index = JSON.parse(await readFile(path.join(dir, 'index.json'), 'utf8'));
  const manifest = JSON.parse(await readFile(blob(index.manifests[0].digest), 'utf8'));
  const file = blob(manifest.config.digest);
  return { file, records: JSON.parse(await readFile(file, 'utf8')).records };
}

describe.skipIf(isolationUnavailable() !== undefined)('cache transfer of steps keyed by stage-mount content', () => {
  afterAll(removeFreshDirs);

  it('type=local: an empty store reuses the mounting RUN and what follows; other content re-runs it', async () => {
    const a = await storeWithBusybox();
    const ctx = await contextWith('foo\n');
    const cacheDir = path.join(await freshDir('x'), 'cache');
    const first = await buildIn(a, ctx, { cacheTo: [`type=local,dest=${cacheDir},mode=max`] });
    const built = await filesOf(a, first);
    expect(built.seen).toBe('foo\n');

    // Three of the five step records complete a pending key: the mounting RUN, the RUN after it, the COPY.
    const { records } = await localCacheConfig(cacheDir);
    expect(records.map((r) => r.kind).sort()).toEqual(['image', 'step', 'step', 'step', 'step', 'step']);
    const completions = records.flatMap((r) => r.completion ?? []);
    expect(completions).toHaveLength(3);
    expect(completions.map((c) => c.inputs.length).sort()).toEqual([0, 1, 1]);

    const b = await storeWithBusybox();
    const second = await buildIn(b, ctx, { cacheFrom: [`type=local,src=${cacheDir}`] });
    expect(second.log).toContain('6 records imported');
    expect(stepsRun(second.log)).toEqual([]);
    expect(await filesOf(b, second)).toEqual(built);
    expect(second.result?.imageId).toBe(first.result?.imageId);

    // Other mounted content: the records completing the planned keys are kept but answer nothing.
    const c = await storeWithBusybox();
    const other = await buildIn(c, await contextWith('bar\n'), { cacheFrom: [`type=local,src=${cacheDir}`] });
    expect(other.log).toContain('4 records imported');
    expect(stepsRun(other.log)).toEqual([
      '[build 2/3] COPY data /',
      '[build 3/3] RUN mkdir out && cp /data out/data',
      `[use 2/3] ${mountingRun}`,
      '[use 3/3] RUN cat /nonce > /nonce2',
      '[stage-2 1/1] COPY --from=use /seen /nonce /nonce2 /',
    ]);
    const files = await filesOf(c, other);
    expect(files.seen).toBe('bar\n');
    expect(files.nonce).not.toBe(built.nonce);
  }, 120_000);

  it('a record whose key is not made of its completion is refused, with the whole source', async () => {
    const a = await storeWithBusybox();
    const ctx = await contextWith('foo\n');
    const cacheDir = path.join(await freshDir('x'), 'cache');
    expect((await buildIn(a, ctx, { cacheTo: [`type=local,dest=${cacheDir},mode=max`] })).error).toBeNull();
    const { file, records } = await localCacheConfig(cacheDir);
    const forged = records.find((r) => r.completion !== undefined && r.completion.inputs.length === 1);
    if (forged?.completion === undefined) throw new Error('no record with a completion');
    forged.completion.inputs = [`sha256:${'0'.repeat(64)}`];
    // A config edited in place no longer matches its digest: write it where the manifest says it is.
    const text = `${JSON.stringify({ schemaVersion: 1, records })}\n`;
    await writeFile(file, text);
    const index = JSON.parse(await readFile(path.join(cacheDir, 'index.json'), 'utf8'));
    const manifestFile = path.join(cacheDir, 'blobs/sha256', index.manifests[0].digest.slice(7));
    const manifest = JSON.parse(await readFile(manifestFile, 'utf8'));
    manifest.config.digest = sha256Digest(text);
    manifest.config.size = Buffer.byteLength(text);
    await writeFile(path.join(cacheDir, 'blobs/sha256', manifest.config.digest.slice(7)), text);
    const manifestText = JSON.stringify(manifest);
    const manifestDigest = sha256Digest(manifestText);
    await writeFile(path.join(cacheDir, 'blobs/sha256', manifestDigest.slice(7)), manifestText);
    index.manifests[0] = { ...index.manifests[0], digest: manifestDigest, size: Buffer.byteLength(manifestText) };
    await writeFile(path.join(cacheDir, 'index.json'), JSON.stringify(index));

    const b = await storeWithBusybox();
    const second = await buildIn(b, ctx, { cacheFrom: [`type=local,src=${cacheDir}`] });
    expect(second.log).toContain(
      `WARNING: cache import failed: cache in ${cacheDir}: records[${records.indexOf(forged)}].completion ` +
        `does not make the key ${forged.key}`,
    );
    expect(stepsRun(second.log)).toHaveLength(5);
    expect((await filesOf(b, second)).seen).toBe('foo\n');
  }, 120_000);

  describe('type=registry (Debian docker-registry on loopback)', () => {
    let registry: DistributionServer;
    beforeAll(async () => {
      registry = await startDistribution();
    }, 30_000);
    afterAll(async () => {
      await registry?.stop();
    });

    it('an empty store builds from the registry cache without running a step, with A’s image', async () => {
      const a = await storeWithBusybox();
      const ctx = await contextWith('foo\n');
      const ref = `${registry.host}/cache/mount:buildcache`;
      const first = await buildIn(a, ctx, { cacheTo: [`type=registry,ref=${ref},mode=max`] });
      const built = await filesOf(a, first);

      const b = await storeWithBusybox();
      const second = await buildIn(b, ctx, { cacheFrom: [`type=registry,ref=${ref}`] });
      expect(second.log).toContain('6 records imported');
      expect(stepsRun(second.log)).toEqual([]);
      expect(await filesOf(b, second)).toEqual(built);
      expect(second.result?.imageId).toBe(first.result?.imageId);
    }, 120_000);
  });
});
