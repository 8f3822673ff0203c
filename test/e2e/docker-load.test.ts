// External validation with Docker itself: an image tsbuild built (several layers, a file deleted in a later
// layer — a whiteout —, a symlink, an opaque directory) is saved with `tsbuild save` (docker-archive, and
// the OCI archive, which carries a manifest.json for older daemons), `docker load`ed, and run: its files
// and its config are what the Dockerfile says. Skips with the reason when no Docker daemon answers.
// CI: start one with `dockerd --iptables=false --bridge=none --storage-driver=overlay2 &` (see the report).
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run as save } from '../../cli/commands/save/run.js';
import { readTar, type Store, uncompressedLayer } from '../../image/index.js';
import { buildIn, freshDir, isolationUnavailable, removeFreshDirs, storeWithBusybox, writeContext } from './helpers.js';

const docker = '/usr/bin/docker';
const exec = promisify(execFile);

function dockerUnavailable(): string | undefined {
  try {
    execFileSync(docker, ['version', '--format', '{{.Server.Version}}'], { stdio: 'pipe', timeout: 15_000 });
    return undefined;
  } catch (error) {
    const text = `${(error as { stderr?: Buffer }).stderr ?? (error as Error).message}`.trim().split('\n').at(-1);
    return `no Docker daemon answers at ${docker}: ${text}`;
  }
}

const skip = isolationUnavailable() ?? dockerUnavailable();
if (skip !== undefined) console.log(`docker-load tests skipped: ${skip}`);

const dockerRun = async (image: string, ...cmd: string[]) =>
  (await exec(docker, ['run', '--rm', '--network', 'none', image, ...cmd], { timeout: 60_000 })).stdout;

describe.skipIf(skip !== undefined)('docker load of tsbuild save output', () => {
  const names = new Set<string>();
  let store: Store;
  let built: { imageId: string };
  const tag = `tsbuild-load-test-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    store = await storeWithBusybox();
    const ctx = await freshDir('c');
    await writeContext(ctx, [
      {
        path: 'Dockerfile',
        content: [
          'FROM busybox',
          'COPY a.txt /data/a.txt',
          'COPY gone.txt /data/gone.txt',
          'COPY old/ /opaque/',
          'RUN rm /data/gone.txt && ln -s /data/a.txt /link && rm -r /opaque && mkdir /opaque && echo new > /opaque/new',
          'ENV GREETING="hello there"',
          'WORKDIR /data',
          'LABEL org.example.kind=test',
          'CMD ["cat", "/link"]',
          '',
        ].join('\n'),
      },
      { path: 'a.txt', content: 'content of a\n' },
      { path: 'gone.txt', content: 'deleted later\n' },
      { path: 'old/old.txt', content: 'replaced directory\n' },
    ]);
    const result = await buildIn(store, ctx, { tags: [`${tag}:src`] });
    if (result.error !== null) throw result.error;
    built = { imageId: result.result!.imageId };
  }, 120_000);

  afterAll(async () => {
    for (const name of names) await exec(docker, ['rmi', '-f', name]).catch(() => {});
    await removeFreshDirs();
  });

  it('the RUN layer carries the whiteout, the opaque marker and the symlink that the loads must apply', async () => {
    const image = await store.resolve(`${tag}:src`);
    const runLayer = image.manifest.layers[4]!;
    const names: string[] = [];
    for await (const entry of readTar(uncompressedLayer(store, runLayer))) {
      for await (const _ of entry.body()) {
        // names only
      }
      names.push(
        entry.header.type === 'symlink' ? `${entry.header.path} -> ${entry.header.linkname}` : entry.header.path,
      );
    }
    expect(names).toEqual(expect.arrayContaining(['data/.wh.gone.txt', 'opaque/.wh..wh..opq', 'link -> /data/a.txt']));
  });

  for (const format of ['docker', 'oci'] as const) {
    it(`loads the ${format} archive and runs it with the right files and config`, async () => {
      const name = `${tag}:${format}`;
      await store.tag(name, (await store.resolve(`${tag}:src`)).manifestDigest);
      const file = path.join(await freshDir('s'), `${format}.tar`);
      const captured = { out: '', err: '' };
      const io = {
        stdout: (t: string) => {
          captured.out += t;
        },
        stderr: (t: string) => {
          captured.err += t;
        },
        env: process.env,
      };
      expect(await save({ root: store.root, images: [name], output: file, format }, io)).toBe(0);
      expect(captured.err).toBe('');
      names.add(name);
      const loaded = await exec(docker, ['load', '-i', file], { timeout: 120_000 });
      expect(loaded.stdout).toContain(`Loaded image: ${name}`);

      // Docker computes the image id from the config bytes: it must be the very id tsbuild printed.
      const id = (await exec(docker, ['image', 'inspect', '--format', '{{.Id}}', name])).stdout.trim();
      expect(id).toBe(built.imageId);
      expect(await dockerRun(name)).toBe('content of a\n');
      expect(await dockerRun(name, 'cat', '/data/a.txt')).toBe('content of a\n');
      expect(await dockerRun(name, 'readlink', '/link')).toBe('/data/a.txt\n');
      expect(await dockerRun(name, 'ls', '-A', '/data')).toBe('a.txt\n');
      expect(await dockerRun(name, 'ls', '-A', '/opaque')).toBe('new\n');
      expect(await dockerRun(name, 'sh', '-c', 'echo "$GREETING" && pwd')).toBe('hello there\n/data\n');

      const [inspect] = JSON.parse((await exec(docker, ['image', 'inspect', name])).stdout);
      expect(inspect.Config.Cmd).toEqual(['cat', '/link']);
      // As BuildKit's CMD sets it (docker build gives the same).
      expect(inspect.Config.ArgsEscaped).toBe(true);
      expect(inspect.Config.WorkingDir).toBe('/data');
      expect(inspect.Config.Env).toContain('GREETING=hello there');
      expect(inspect.Config.Labels).toEqual({ 'org.example.kind': 'test' });
      expect(inspect.RootFS.Layers).toEqual((await store.resolve(name)).config.rootfs.diff_ids);
    }, 180_000);
  }
});
