// RUN --mount on real builds: a secret is readable in the step but in no layer, a cache mount keeps
// its content across builds, a tmpfs and a bind mount leave nothing behind, and --network=none gives
// the step only a loopback interface.
import { execFileSync } from 'node:child_process';
import { chmod, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BuildError, exportFilesystem } from '../../executor/index.js';
import type { Store } from '../../image/index.js';
import { buildIn, freshDir, isolationUnavailable, removeFreshDirs, storeWithBusybox, writeContext } from './helpers.js';

describe.skipIf(isolationUnavailable() !== undefined)('RUN --mount', () => {
  afterAll(removeFreshDirs);
  let store: Store;
  beforeAll(async () => {
    store = await storeWithBusybox();
  });

  async function layerListing(digest: string): Promise<string> {
    return execFileSync('tar', ['-tf', store.blobPath(digest as `sha256:${string}`)], { encoding: 'utf8' });
  }

  it('a secret is readable by the step and ends up in no layer', async () => {
    const ctx = await freshDir('c');
    const secretFile = path.join(await freshDir('x'), 'token');
    await writeFile(secretFile, 's3cr3t-value');
    await writeContext(ctx, [
      {
        path: 'Dockerfile',
        content: 'FROM busybox\nRUN --mount=type=secret,id=token wc -c < /run/secrets/token > /length\n',
      },
    ]);
    const run = await buildIn(store, ctx, { secrets: new Map([['token', { src: secretFile }]]) });
    expect(run.error).toBeNull();
    const layers = run.result!.fs.layers;
    const listing = await layerListing(layers[layers.length - 1].digest);
    expect(listing.split('\n').filter((l) => l !== '')).toEqual(['length']);
    const out = await freshDir('o');
    await exportFilesystem(store, run.result!.fs, { type: 'local', dest: out });
    expect((await readFile(path.join(out, 'length'), 'utf8')).trim()).toBe('12');
    const config = await store.readBlob(run.result!.imageId);
    expect(config.toString()).not.toContain('s3cr3t');
  });

  it('a required secret that is not given fails the step', async () => {
    const ctx = await freshDir('c');
    await writeContext(ctx, [
      { path: 'Dockerfile', content: 'FROM busybox\nRUN --mount=type=secret,id=missing,required=true true\n' },
    ]);
    const run = await buildIn(store, ctx);
    expect(run.error?.message).toBe('secret missing: not found');
  });

  it('a secret mounted as a variable (env=) replaces the ENV of that name, and is in no file, layer or log', async () => {
    const ctx = await freshDir('c');
    const secretFile = path.join(await freshDir('x'), 'token');
    await writeFile(secretFile, 's3cr3t-value');
    await writeContext(ctx, [
      {
        path: 'Dockerfile',
        content:
          'FROM busybox\nENV TOKEN=public\n' +
          'RUN --mount=type=secret,id=token,env=TOKEN sh -c \'test ! -e /run/secrets/token && printf %s "$TOKEN" | wc -c > /length\'\n' +
          'RUN --mount=type=secret,id=token,env=TOKEN,target=/run/s sh -c \'printf %s "$TOKEN" | cmp /run/s - > /both\'\n',
      },
    ]);
    const run = await buildIn(store, ctx, { secrets: new Map([['token', { src: secretFile }]]) });
    expect(run.error).toBeNull();
    const out = await freshDir('o');
    await exportFilesystem(store, run.result!.fs, { type: 'local', dest: out });
    expect((await readFile(path.join(out, 'length'), 'utf8')).trim()).toBe('12');
    // env= and target= together: the file and the variable hold the same value (cmp prints nothing).
    expect(await readFile(path.join(out, 'both'), 'utf8')).toBe('');
    const layers = run.result!.fs.layers;
    expect((await layerListing(layers[layers.length - 2].digest)).split('\n').filter((l) => l !== '')).toEqual([
      'length',
    ]);
    expect(run.log).not.toContain('s3cr3t');
    const config = await store.readBlob(run.result!.imageId);
    expect(config.toString()).not.toContain('s3cr3t');
    expect(config.toString()).toContain('TOKEN=public');
  });

  it('a secret variable that is not given is empty unless required', async () => {
    const ctx = await freshDir('c');
    await writeContext(ctx, [
      {
        path: 'Dockerfile',
        content: "FROM busybox\nRUN --mount=type=secret,id=absent,env=ABSENT sh -c 'env | grep -x ABSENT= > /v'\n",
      },
    ]);
    const run = await buildIn(store, ctx);
    expect(run.error).toBeNull();
    const out = await freshDir('o');
    await exportFilesystem(store, run.result!.fs, { type: 'local', dest: out });
    expect(await readFile(path.join(out, 'v'), 'utf8')).toBe('ABSENT=\n');

    await writeContext(ctx, [
      {
        path: 'Dockerfile',
        content: 'FROM busybox\nRUN --mount=type=secret,id=absent,env=ABSENT,required=true true\n',
      },
    ]);
    expect((await buildIn(store, ctx)).error?.message).toBe('secret absent: not found');
  });

  it('a cache mount keeps its content across builds and stays out of the image', async () => {
    const ctx = await freshDir('c');
    await writeContext(ctx, [
      {
        path: 'Dockerfile',
        content:
          'FROM busybox\nRUN --mount=type=cache,target=/var/cache/app,id=app-cache echo run >> /var/cache/app/log && wc -l < /var/cache/app/log > /count\n',
      },
    ]);
    const first = await buildIn(store, ctx, { noCache: true });
    const second = await buildIn(store, ctx, { noCache: true });
    expect(second.error).toBeNull();
    const out = await freshDir('o');
    await exportFilesystem(store, second.result!.fs, { type: 'local', dest: out });
    const before = Number((await readFile(path.join(out, 'count'), 'utf8')).trim());
    expect(before).toBeGreaterThanOrEqual(2);
    expect(first.error).toBeNull();
    const layers = second.result!.fs.layers;
    expect((await layerListing(layers[layers.length - 1].digest)).split('\n').filter((l) => l !== '')).toEqual([
      'count',
    ]);
  });

  it('tmpfs and bind mounts leave nothing in the layer', async () => {
    const ctx = await freshDir('c');
    await writeContext(ctx, [
      {
        path: 'Dockerfile',
        content:
          'FROM busybox\nRUN --mount=type=tmpfs,target=/scratch --mount=type=bind,source=data,target=/data echo t > /scratch/t && cat /data/v > /copied\n',
      },
      { path: 'data/v', content: 'bound\n' },
    ]);
    const run = await buildIn(store, ctx);
    expect(run.error).toBeNull();
    const layers = run.result!.fs.layers;
    expect((await layerListing(layers[layers.length - 1].digest)).split('\n').filter((l) => l !== '')).toEqual([
      'copied',
    ]);
  });

  it("gives a tmpfs the size BuildKit reads with go-units' RAMInBytes (`1.5m`, `2MiB`)", async () => {
    const ctx = await freshDir('c');
    await writeContext(ctx, [
      {
        path: 'Dockerfile',
        content:
          'FROM busybox\nRUN --mount=type=tmpfs,target=/a,size=1.5m --mount=type=tmpfs,target=/b,size=2MiB ' +
          "df -k /a /b | awk 'NR > 1 { print $2 }' > /sizes\n",
      },
    ]);
    const run = await buildIn(store, ctx);
    expect(run.error).toBeNull();
    const out = await freshDir('o');
    await exportFilesystem(store, run.result!.fs, { type: 'local', dest: out });
    expect(await readFile(path.join(out, 'sizes'), 'utf8')).toBe('1536\n2048\n');
  });

  it('the next RUN sees none of the mount points the mounts of the RUN before it needed, nor does its layer', async () => {
    // BuildKit removes them once the container is done (MountStubsCleaner); the RUN's diff comes later.
    const ctx = await freshDir('c');
    const secretFile = path.join(await freshDir('x'), 'token');
    await writeFile(secretFile, 'x');
    await writeContext(ctx, [
      {
        path: 'Dockerfile',
        content:
          'FROM busybox\nRUN --mount=type=secret,id=token --mount=type=cache,target=/new/cache --mount=type=tmpfs,target=/tmp/t true\n' +
          'RUN for p in /new /run/secrets /tmp/t; do test -e $p && echo $p; done > /seen; true\n',
      },
    ]);
    const run = await buildIn(store, ctx, { noCache: true, secrets: new Map([['token', { src: secretFile }]]) });
    expect(run.error).toBeNull();
    const layers = run.result!.fs.layers;
    expect(await layerListing(layers[layers.length - 2].digest)).toBe('');
    expect(await layerListing(layers[layers.length - 1].digest)).toBe('seen\n');
    const out = await freshDir('o');
    await exportFilesystem(store, run.result!.fs, { type: 'local', dest: out });
    expect(await readFile(path.join(out, 'seen'), 'utf8')).toBe('');
  });

  it('a bind mount of the context shows what .dockerignore leaves in it, read-only or writable, and the context stays as it was', async () => {
    const ctx = await freshDir('c');
    await writeContext(ctx, [
      {
        path: 'Dockerfile',
        content:
          'FROM busybox\nRUN --mount=type=bind,target=/ctx find /ctx | sort > /ro && stat -c "%a %u" /ctx/sub > /mode\n' +
          'RUN --mount=type=bind,target=/ctx,rw rm /ctx/kept.txt && echo w > /ctx/sub/new && find /ctx | sort > /rw\n',
      },
      { path: '.dockerignore', content: 'secret.txt\nnode_modules\nsub/*.log\n!sub/keep.log\n' },
      { path: 'kept.txt', content: 'k\n' },
      { path: 'secret.txt', content: 's\n' },
      { path: 'node_modules/m/index.js', content: 'x\n' },
      { path: 'sub/a.log', content: 'a\n' },
      { path: 'sub/keep.log', content: 'b\n' },
    ]);
    await chmod(path.join(ctx, 'sub'), 0o750);
    const before = (await readdir(ctx, { recursive: true })).sort();
    const run = await buildIn(store, ctx, { noCache: true });
    expect(run.error).toBeNull();
    const out = await freshDir('o');
    await exportFilesystem(store, run.result!.fs, { type: 'local', dest: out });
    const visible = ['/ctx', '/ctx/.dockerignore', '/ctx/Dockerfile', '/ctx/kept.txt', '/ctx/sub', '/ctx/sub/keep.log'];
    expect(await readFile(path.join(out, 'ro'), 'utf8')).toBe(`${visible.join('\n')}\n`);
    expect(await readFile(path.join(out, 'mode'), 'utf8')).toBe('750 0\n');
    const written = ['/ctx', '/ctx/.dockerignore', '/ctx/Dockerfile', '/ctx/sub', '/ctx/sub/keep.log', '/ctx/sub/new'];
    expect(await readFile(path.join(out, 'rw'), 'utf8')).toBe(`${written.join('\n')}\n`);
    expect((await readdir(ctx, { recursive: true })).sort()).toEqual(before);
    expect(await readFile(path.join(ctx, 'kept.txt'), 'utf8')).toBe('k\n');
  });

  it('a context overlayfs cannot take (a path with a comma) is mounted as a copy without the ignored entries', async () => {
    const ctx = await freshDir('c,d');
    await writeContext(ctx, [
      { path: 'Dockerfile', content: 'FROM busybox\nRUN --mount=type=bind,target=/ctx find /ctx | sort > /ro\n' },
      { path: '.dockerignore', content: 'secret.txt\n' },
      { path: 'kept.txt', content: 'k\n' },
      { path: 'secret.txt', content: 's\n' },
    ]);
    const run = await buildIn(store, ctx, { noCache: true });
    expect(run.error).toBeNull();
    const out = await freshDir('o');
    await exportFilesystem(store, run.result!.fs, { type: 'local', dest: out });
    const visible = ['/ctx', '/ctx/.dockerignore', '/ctx/Dockerfile', '/ctx/kept.txt'];
    expect(await readFile(path.join(out, 'ro'), 'utf8')).toBe(`${visible.join('\n')}\n`);
  });

  it('a writable bind mount of the context keeps its writes out of the context and the image', async () => {
    const ctx = await freshDir('c');
    await writeContext(ctx, [
      {
        path: 'Dockerfile',
        content:
          'FROM busybox\nRUN --mount=type=bind,target=/ctx,rw echo changed > /ctx/f && rm /ctx/g && cat /ctx/f > /seen\n',
      },
      { path: 'f', content: 'original\n' },
      { path: 'g', content: 'g\n' },
    ]);
    const run = await buildIn(store, ctx, { noCache: true });
    expect(run.error).toBeNull();
    const layers = run.result!.fs.layers;
    expect(await layerListing(layers[layers.length - 1].digest)).toBe('seen\n');
    expect(await readFile(path.join(ctx, 'f'), 'utf8')).toBe('original\n');
    expect(await readFile(path.join(ctx, 'g'), 'utf8')).toBe('g\n');
    expect((await readdir(ctx)).sort()).toEqual(['Dockerfile', 'f', 'g']);
  });

  it('RUN --device: a required CDI device fails the build before any step; an optional one is left out with a warning', async () => {
    const ctx = await freshDir('c');
    await writeContext(ctx, [
      {
        path: 'Dockerfile',
        content: 'FROM busybox\nRUN echo ran > /first\nRUN --device=vendor.com/gpu=0,required true\n',
      },
    ]);
    const failed = await buildIn(store, ctx, { noCache: true });
    expect(failed.error?.message).toBe('required device "vendor.com/gpu=0" is not registered');
    expect((failed.error as BuildError).details.line).toBe(3);
    expect(failed.log).not.toContain('RUN echo ran');

    await writeContext(ctx, [
      { path: 'Dockerfile', content: 'FROM busybox\nRUN --device=vendor.com/gpu=0 echo ran > /ran\n' },
    ]);
    const warnings: string[] = [];
    const ran = await buildIn(store, ctx, { onWarning: (d) => warnings.push(`${d.range.start.line}: ${d.message}`) });
    expect(ran.error).toBeNull();
    expect(warnings).toEqual(['2: optional device "vendor.com/gpu=0" is not registered: the step runs without it']);
    const layers = ran.result!.fs.layers;
    expect(await layerListing(layers[layers.length - 1].digest)).toBe('ran\n');
  });

  it('--network=none leaves only the loopback interface', async () => {
    const ctx = await freshDir('c');
    await writeContext(ctx, [
      { path: 'Dockerfile', content: 'FROM busybox\nRUN --network=none ls /sys/class/net > /ifaces\n' },
    ]);
    const run = await buildIn(store, ctx);
    expect(run.error).toBeNull();
    const out = await freshDir('o');
    await exportFilesystem(store, run.result!.fs, { type: 'local', dest: out });
    expect(await readFile(path.join(out, 'ifaces'), 'utf8')).toBe('lo\n');
  });
});
