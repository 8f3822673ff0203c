// `tsbuild build` with the live tty display and the image exporters: `--progress tty` (and `auto` on a
// terminal) draws frames in place and ends with FINISHED; `--output type=oci|docker` write archives
// other tools read; `rewrite-timestamp=true` with SOURCE_DATE_EPOCH clamps the mtimes a RUN wrote.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuildCliOptions, BuildIo } from '../../cli/commands/build/run.js';
import { type ImageIndex, type ImageManifest, readIndexFile, type Store } from '../../image/index.js';
import { buildCommand } from './build-command.js';
import { freshDir, isolationUnavailable, removeFreshDirs, storeWithBusybox, writeContext } from './helpers.js';

const cli = (store: Store, opts: Partial<BuildCliOptions> & { context: string }, io: Partial<BuildIo> = {}) =>
  buildCommand(store, opts, io);

const tarJson = <T>(file: string, member: string): T =>
  JSON.parse(execFileSync('tar', ['-xOf', file, member], { encoding: 'utf8' })) as T;

describe.skipIf(isolationUnavailable() !== undefined)('tsbuild build: tty progress and image outputs', () => {
  afterAll(removeFreshDirs);
  let store: Store;
  let ctx: string;
  beforeAll(async () => {
    store = await storeWithBusybox();
    ctx = await freshDir('c');
    await writeContext(ctx, [
      { path: 'Dockerfile', content: 'FROM busybox\nCOPY a.txt /a.txt\nRUN echo built > /b.txt && echo step output\n' },
      { path: 'a.txt', content: 'a\n' },
    ]);
  });

  it('--progress auto on a terminal draws the live display; a rebuild shows CACHED steps', async () => {
    const terminal = { stderrTerminal: { isTTY: true, columns: 100, rows: 40 } };
    const first = await cli(store, { context: ctx, progress: 'auto', tags: ['tty:1'] }, terminal);
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/^\x1b\[2K\[\+\] Building \d+\.\ds \(0\/1\)\n/);
    expect(first.stderr).toContain('\x1b[2K => [3/3] RUN echo built > /b.txt && echo step output');
    const frames = first.stderr.split(/\x1b\[\d+A/);
    const last = frames[frames.length - 1];
    expect(last).toMatch(/\[\+\] Building \d+\.\ds \((\d+)\/\1\) FINISHED\n/);
    expect(last).not.toContain('# step output');

    const again = await cli(store, { context: ctx, progress: 'tty', tags: ['tty:1'] });
    expect(again.code).toBe(0);
    const final = again.stderr.split(/\x1b\[\d+A/).at(-1) ?? '';
    expect(final).toMatch(/ => CACHED \[2\/3\] COPY a\.txt \/a\.txt +0\.0s\n/);
    expect(final).toMatch(/ => CACHED \[3\/3\] RUN echo built/);
    expect(again.stdout).toBe(first.stdout);
  });

  it('BUILDKIT_PROGRESS=plain gives plain progress on a terminal, as docker build; --progress still wins', async () => {
    const terminal = { isTTY: true, columns: 100, rows: 40 };
    const plain = await cli(store, { context: ctx }, { stderrTerminal: terminal, env: { BUILDKIT_PROGRESS: 'plain' } });
    expect(plain.code).toBe(0);
    expect(plain.stderr).toMatch(/^#1 \[internal\] load build definition from Dockerfile\n/);
    expect(plain.stderr).not.toContain('\x1b[');
    const tty = await cli(
      store,
      { context: ctx, progress: 'tty' },
      { stderrTerminal: terminal, env: { BUILDKIT_PROGRESS: 'plain' } },
    );
    expect(tty.stderr).toMatch(/^\x1b\[2K\[\+\] Building/);
  });

  it('a failing step on the tty display: the last frame says ERROR, then the output and the Dockerfile excerpt', async () => {
    const bad = await freshDir('e');
    await writeContext(bad, [
      { path: 'Dockerfile', content: 'FROM busybox\nRUN echo about to fail && false\nCMD ["sh"]\n' },
    ]);
    const failed = await cli(store, { context: bad, progress: 'tty' });
    expect(failed.code).toBe(1);
    const final = failed.stderr.split(/\x1b\[\d+A/).at(-1) ?? '';
    const [frame, report] = final.split('\x1b[J');
    expect(frame).toMatch(/\[\+\] Building \d+\.\ds \(\d+\/\d+\) ERROR\n/);
    expect(frame).toMatch(/ => ERROR \[2\/2\] RUN echo about to fail && false +\d+\.\ds\n/);
    expect(report?.replace(/^\d+\.\d{3} /gm, 'S.SSS ')).toBe(
      [
        '------',
        ' > [2/2] RUN echo about to fail && false:',
        'S.SSS about to fail',
        '------',
        'Dockerfile:2',
        '--------------------',
        '   1 |     FROM busybox',
        '   2 | >>> RUN echo about to fail && false',
        '   3 |     CMD ["sh"]',
        '   4 |     ',
        '--------------------',
        'ERROR: failed to solve: process "/bin/sh -c echo about to fail && false" did not complete successfully: exit code: 1',
        '',
      ].join('\n'),
    );
  });

  it('--progress auto without a terminal stays plain', async () => {
    const plain = await cli(store, { context: ctx, progress: 'auto' }, { stderrTerminal: { isTTY: false } });
    expect(plain.stderr).toMatch(/^#1 \[internal\] load build definition from Dockerfile\n/);
    expect(plain.stderr).not.toContain('\x1b[');
  });

  it('--output type=oci and type=docker write archives; rewrite-timestamp clamps the RUN layer', async () => {
    const dir = await freshDir('o');
    const oci = path.join(dir, 'image.oci.tar');
    const docker = path.join(dir, 'image.docker.tar');
    const entriesBefore = (await readIndexFile(store.paths.indexJson)).manifests.map((m) => m.digest);
    const result = await cli(
      store,
      {
        context: ctx,
        quiet: true,
        noCache: true,
        outputs: [`type=oci,dest=${oci},name=out:1,rewrite-timestamp=true`, `type=docker,dest=${docker}`],
      },
      { env: { SOURCE_DATE_EPOCH: '1000' } },
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const index = tarJson<ImageIndex>(oci, 'index.json');
    expect(index.manifests.map((m) => m.annotations)).toEqual([
      { 'io.containerd.image.name': 'docker.io/library/out:1', 'org.opencontainers.image.ref.name': '1' },
    ]);
    const manifest = tarJson<ImageManifest>(oci, `blobs/sha256/${index.manifests[0]!.digest.slice(7)}`);
    expect(manifest.layers.slice(1).map((l) => l.annotations)).toEqual([
      { 'buildkit/rewritten-timestamp': '1000' },
      { 'buildkit/rewritten-timestamp': '1000' },
    ]);
    expect(manifest.layers[0]!.annotations).toBeUndefined();
    const runLayer = execFileSync(
      'sh',
      // A file, not a pipe, so that tar detects the layer's compression itself.
      [
        '-c',
        `tar -xOf "$0" "blobs/sha256/$1" > "$0.layer" && tar -tv --full-time --utc -f "$0.layer"`,
        oci,
        manifest.layers[2]!.digest.slice(7),
      ],
      { encoding: 'utf8' },
    );
    expect(runLayer).toMatch(/ 1970-01-01 00:16:40 b\.txt\n/);
    expect(runLayer).not.toMatch(/ 20\d\d-/);
    // The printed image id is the rewritten image's, and that image is what the docker archive holds.
    const dockerManifest = tarJson<{ Config: string }[]>(docker, 'manifest.json');
    expect(`sha256:${dockerManifest[0]!.Config.replace('.json', '')}`).toBe(result.stdout.trim());
    expect(manifest.config.digest).toBe(result.stdout.trim());
    // The store keeps the rewritten image (untagged, so dangling), not also the one before the rewrite.
    const added = (await readIndexFile(store.paths.indexJson)).manifests.filter(
      (m) => !entriesBefore.includes(m.digest),
    );
    expect(await Promise.all(added.map(async (m) => (await store.resolve(m.digest)).configDigest))).toEqual([
      result.stdout.trim(),
    ]);
  });

  it('--output type=cacheonly fills the cache and keeps no image; --load keeps one; --provenance=false is taken', async () => {
    const only = await freshDir('k');
    await writeContext(only, [
      { path: 'Dockerfile', content: 'FROM busybox\nRUN echo cache-only > /c.txt\n' },
      { path: 'x.txt', content: 'x\n' },
    ]);
    const indexDigests = async () => (await readIndexFile(store.paths.indexJson)).manifests.map((m) => m.digest);
    const before = await indexDigests();
    const cached = await cli(store, { context: only, progress: 'plain', outputs: ['type=cacheonly'] });
    expect(cached.code).toBe(0);
    expect(cached.stdout).toBe('');
    expect(await indexDigests()).toEqual(before);
    // The step ran and its result is in the cache: a build that names the image runs nothing again.
    const named = await cli(store, {
      context: only,
      progress: 'plain',
      tags: ['cacheonly:1'],
      provenance: ['false'],
      sbom: ['0'],
    });
    expect(named.code).toBe(0);
    expect(named.stderr).toMatch(/#\d+ CACHED/);
    expect(named.stderr).not.toContain('cache miss');
    // --load: files out, and the image kept (untagged, so dangling) with its id printed, as buildx loads it.
    const out = await freshDir('l');
    const loaded = await cli(store, { context: only, quiet: true, load: true, outputs: [`type=local,dest=${out}`] });
    expect(loaded.code).toBe(0);
    expect(loaded.stdout.trim()).toBe(named.stdout.trim());
    expect(execFileSync('cat', [path.join(out, 'c.txt')], { encoding: 'utf8' })).toBe('cache-only\n');
    expect((await store.resolve(loaded.stdout.trim())).configDigest).toBe(loaded.stdout.trim());
  });
});
