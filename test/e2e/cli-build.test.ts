// `tsbuild build` through its command function: image id on stdout, -q, --iidfile, --metadata-file,
// --label, --target, --output local|tar, and docker's error rendering with the Dockerfile excerpt.
import { execFileSync } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuildCliOptions } from '../../cli/commands/build/run.js';
import { run as images } from '../../cli/commands/images/run.js';
import { run as prune } from '../../cli/commands/prune/run.js';
import { ImageNotFoundError, readIndexFile, type Store } from '../../image/index.js';
import { buildCommand } from './build-command.js';
import { freshDir, isolationUnavailable, removeFreshDirs, storeWithBusybox, writeContext } from './helpers.js';

const cli = (store: Store, opts: Partial<BuildCliOptions> & { context: string }) => buildCommand(store, opts);

describe.skipIf(isolationUnavailable() !== undefined)('tsbuild build (command)', () => {
  afterAll(removeFreshDirs);
  let store: Store;
  let ctx: string;
  beforeAll(async () => {
    store = await storeWithBusybox();
    ctx = await freshDir('c');
    await writeContext(ctx, [
      {
        path: 'Dockerfile',
        content: 'FROM busybox AS base\nCOPY hello.txt /hello.txt\nFROM base AS final\nRUN cat /hello.txt > /again\n',
      },
      { path: 'hello.txt', content: 'hello\n' },
    ]);
  });

  it('-q prints only the image id; --iidfile and --metadata-file record it; -t tags it', async () => {
    const dir = await freshDir('m');
    const iid = path.join(dir, 'iid');
    const meta = path.join(dir, 'meta.json');
    const result = await cli(store, {
      context: ctx,
      quiet: true,
      tags: ['cli:1'],
      labels: ['team=build'],
      iidfile: iid,
      metadataFile: meta,
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    const id = result.stdout.trim();
    expect(await readFile(iid, 'utf8')).toBe(id);
    const image = await store.resolve('cli:1');
    expect(image.configDigest).toBe(id);
    expect(image.config.config?.Labels).toEqual({ team: 'build' });
    expect(JSON.parse(await readFile(meta, 'utf8'))).toEqual({
      'containerimage.config.digest': id,
      'containerimage.descriptor': {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: image.manifestDigest,
        size: await store.blobSize(image.manifestDigest),
      },
      'containerimage.digest': image.manifestDigest,
      'image.name': 'cli:1',
    });
  });

  it('refuses a -t that cannot name an image before building anything (exit 2, docker’s words)', async () => {
    const before = await store.listImages();
    const digest = `sha256:${'a'.repeat(64)}`;
    const cases: [string, string][] = [
      ['NoGood', 'invalid reference format: repository name (library/NoGood) must be lowercase'],
      ['bad tag', 'invalid reference format'],
      ['ok:bad:tag', 'invalid reference format'],
      [`name@${digest}`, 'refusing to create a tag with a digest reference'],
    ];
    for (const [tag, reason] of cases) {
      const result = await cli(store, { context: ctx, quiet: true, tags: ['fine:1', tag] });
      expect({ code: result.code, stderr: result.stderr, stdout: result.stdout }).toEqual({
        code: 2,
        stderr: `ERROR: invalid argument "${tag}" for "-t, --tag" flag: ${reason}\n`,
        stdout: '',
      });
    }
    expect(await store.listImages()).toEqual(before);
  });

  it('--network none runs RUN steps without a network unless one names host; the default has the host’s', async () => {
    const net = await freshDir('n');
    await writeContext(net, [
      {
        path: 'Dockerfile',
        content:
          'FROM busybox\nRUN ls /sys/class/net > /plain\nRUN --network=host ls /sys/class/net > /host\n' +
          'RUN --network=default ls /sys/class/net > /default\n',
      },
    ]);
    const read = async (out: string, name: string) => (await readFile(path.join(out, name), 'utf8')).trim();
    const none = await freshDir('o');
    const isolated = await cli(store, { context: net, network: 'none', outputs: [`type=local,dest=${none}`] });
    expect(isolated.code).toBe(0);
    expect(await read(none, 'plain')).toBe('lo');
    expect(await read(none, 'default')).toBe('lo');
    const hostIfaces = (await readdir('/sys/class/net')).sort().join('\n');
    expect(await read(none, 'host')).toBe(hostIfaces);
    const host = await freshDir('o');
    const byDefault = await cli(store, { context: net, outputs: [`type=local,dest=${host}`] });
    expect(byDefault.code).toBe(0);
    expect(await read(host, 'plain')).toBe(hostIfaces);
  });

  it('keeps an untagged build as a dangling image: its ID works and images lists it, until prune', async () => {
    const dangling = await freshDir('c');
    await writeContext(dangling, [{ path: 'Dockerfile', content: 'FROM busybox\nLABEL only=this-test\n' }]);
    const built = await cli(store, { context: dangling, quiet: true });
    expect(built.code).toBe(0);
    const id = built.stdout.trim();
    expect((await store.resolve(id)).configDigest).toBe(id);
    const listed = { out: '' };
    const io = {
      stdout: (t: string) => {
        listed.out += t;
      },
      stderr: () => {},
      env: {},
    };
    expect(await images({ root: store.root }, io)).toBe(0);
    expect(listed.out).toMatch(new RegExp(`^<none> +<none> +${id.slice(7, 19)} `, 'm'));
    expect(await prune({ root: store.root, keepRecentSeconds: 0, quiet: true }, io)).toBe(0);
    await expect(store.resolve(id)).rejects.toThrow(ImageNotFoundError);
  });

  it('--annotation puts annotations on the manifest (the image id stays); one naming an index is refused', async () => {
    const plain = await cli(store, { context: ctx, quiet: true, tags: ['notes:plain'] });
    const noted = await cli(store, {
      context: ctx,
      quiet: true,
      tags: ['notes:1'],
      annotations: ['org.opencontainers.image.title=Demo', 'manifest[linux/s390x]:elsewhere=1'],
    });
    expect([plain.code, noted.code]).toEqual([0, 0]);
    expect(noted.stdout).toBe(plain.stdout);
    const image = await store.resolve('notes:1');
    expect(image.manifest.annotations).toEqual({ 'org.opencontainers.image.title': 'Demo' });
    expect(image.manifest.layers).toEqual((await store.resolve('notes:plain')).manifest.layers);

    const refused = await cli(store, { context: ctx, quiet: true, annotations: ['index:k=v'] });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      'ERROR: failed to solve: annotation "index:k=v": a single-platform build writes no image index\n',
    );
  });

  it('reports a failed export by its message, without a stack trace', async () => {
    const dir = await freshDir('x');
    const file = path.join(dir, 'file');
    await writeFile(file, 'not a directory\n');
    const dest = path.join(file, 'out');
    const result = await cli(store, { context: ctx, quiet: true, outputs: [`type=local,dest=${dest}`] });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^ERROR: ENOTDIR: not a directory, \\w+ '${file}[^']*'\\n$`));
  });

  it('prints plain progress and --output writes the target stage filesystem', async () => {
    const out = await freshDir('o');
    const tarFile = path.join(out, 'fs.tar');
    const result = await cli(store, {
      context: ctx,
      target: 'base',
      outputs: [`type=local,dest=${path.join(out, 'dir')}`, `type=tar,dest=${tarFile}`],
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^#\d+ \[base 2\/2\] COPY hello.txt \/hello.txt$/m);
    expect(result.stderr).not.toContain('RUN cat');
    expect(await readFile(path.join(out, 'dir/hello.txt'), 'utf8')).toBe('hello\n');
    expect(execFileSync('tar', ['-tf', tarFile], { encoding: 'utf8' })).toContain('./hello.txt');
  });

  it('keeps no image and prints no id for a build whose only outputs are files, as buildx', async () => {
    const before = (await readIndexFile(store.paths.indexJson)).manifests;
    const out = await freshDir('o');
    const other = await freshDir('c');
    await writeContext(other, [{ path: 'Dockerfile', content: 'FROM busybox\nRUN echo only-files > /f\n' }]);
    const result = await cli(store, { context: other, outputs: [`type=local,dest=${out}`] });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('');
    expect(await readFile(path.join(out, 'f'), 'utf8')).toBe('only-files\n');
    expect((await readIndexFile(store.paths.indexJson)).manifests).toEqual(before);
    // With a tag the image is stored and named as always.
    const tagged = await cli(store, { context: other, tags: ['files:1'], outputs: [`type=local,dest=${out}`] });
    expect(tagged.code, tagged.stderr).toBe(0);
    expect(tagged.stdout).toBe(`${(await store.resolve('files:1')).configDigest}\n`);
  });

  it('renders a failed step like docker: output, Dockerfile excerpt, message', async () => {
    const bad = await freshDir('c');
    await writeContext(bad, [
      { path: 'Dockerfile', content: 'FROM busybox\nRUN echo one\nRUN echo broken >&2; exit 7\nENV A=b\n' },
    ]);
    const result = await cli(store, { context: bad, quiet: true });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    // The box's output lines carry the seconds since the step started, as docker's do (S.SSS here).
    expect(result.stderr.replace(/^\d+\.\d{3} /gm, 'S.SSS ')).toBe(
      [
        '------',
        ' > [3/3] RUN echo broken >&2; exit 7:',
        'S.SSS broken',
        '------',
        'Dockerfile:3',
        '--------------------',
        '   1 |     FROM busybox',
        '   2 |     RUN echo one',
        '   3 | >>> RUN echo broken >&2; exit 7',
        '   4 |     ENV A=b',
        '   5 |     ',
        '--------------------',
        'ERROR: failed to solve: process "/bin/sh -c echo broken >&2; exit 7" did not complete successfully: exit code: 7',
        '',
      ].join('\n'),
    );
  });

  it('names the ways to get a missing base image', async () => {
    const bad = await freshDir('c');
    await writeContext(bad, [{ path: 'Dockerfile', content: 'FROM nosuchimage:3\nRUN true\n' }]);
    const result = await cli(store, { context: bad, quiet: true });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      "ERROR: failed to solve: image nosuchimage:3 is not in the local store: import a root filesystem with 'tsbuild import ROOTFS.tar nosuchimage:3', load a saved image with 'tsbuild load -i FILE', or pull it into the store first",
    );
  });
});
