// `tsbuild save`: docker-archive and OCI archive, checked with tools nobody here wrote (skopeo, umoci).
import { execFile } from 'node:child_process';
import { mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../cli/commands/save/run.js';
import { buildImage, capture, distBuilt, runCli, type TempStore, tempStore } from './image-helpers.js';

const exec = promisify(execFile);
const which = async (tool: string) =>
  exec('sh', ['-c', `command -v ${tool}`]).then(
    () => true,
    () => false,
  );
const hasSkopeo = await which('skopeo');
const hasUmoci = await which('umoci');

let t: TempStore;
beforeEach(async () => {
  t = await tempStore();
});
afterEach(async () => {
  await t.cleanup();
});

describe('tsbuild save', () => {
  it.skipIf(!hasSkopeo)('writes a docker-archive skopeo reads', async () => {
    const built = await buildImage(t.store, 'app:1');
    const file = path.join(t.dir, 'app.tar');
    const c = capture();
    expect(await run({ root: t.root, images: ['app:1'], output: file }, c.io)).toBe(0);
    expect(c.out() + c.err()).toBe('');
    const { stdout } = await exec('skopeo', ['inspect', '--raw', '--config', `docker-archive:${file}`]);
    const config = JSON.parse(stdout);
    expect(config.config).toEqual({ Env: ['PATH=/usr/bin:/bin', 'A=1'], Cmd: ['/bin/sh'], WorkingDir: '/app' });
    const image = await t.store.resolve('app:1');
    expect(config.rootfs.diff_ids).toEqual(image.config.rootfs.diff_ids);
    const inspected = JSON.parse((await exec('skopeo', ['inspect', `docker-archive:${file}`])).stdout);
    expect(inspected.RepoTags).toEqual([]);
    expect(inspected.Layers).toHaveLength(2);
    expect(built.configDigest).toBe(image.configDigest);
  });

  it.skipIf(!hasUmoci)('writes an OCI archive umoci unpacks', async () => {
    await buildImage(t.store, 'app:1');
    const file = path.join(t.dir, 'app-oci.tar');
    expect(await run({ root: t.root, images: ['app:1'], output: file, format: 'oci' }, capture().io)).toBe(0);
    const layout = path.join(t.dir, 'layout');
    await mkdir(layout);
    await exec('tar', ['-xf', file, '-C', layout]);
    const bundle = path.join(t.dir, 'bundle');
    await exec('umoci', ['unpack', '--image', `${layout}:1`, bundle]);
    expect(await readFile(path.join(bundle, 'rootfs/etc/hello'), 'utf8')).toBe('hello a\n');
    expect(await readFile(path.join(bundle, 'rootfs/app/run.sh'), 'utf8')).toBe('echo a\n');
    const runtime = JSON.parse(await readFile(path.join(bundle, 'config.json'), 'utf8'));
    expect(runtime.process.cwd).toBe('/app');
  });

  it('writes to a pipe but refuses a terminal, and fails before writing for a missing image', async () => {
    await buildImage(t.store, 'app:1');
    const tty = Object.assign(new PassThrough(), { isTTY: true });
    const refused = capture({ stdoutStream: tty });
    expect(await run({ root: t.root, images: ['app:1'] }, refused.io)).toBe(1);
    expect(refused.err()).toBe('Error: cowardly refusing to save to a terminal. Use the -o flag or redirect\n');

    const pipe = new PassThrough();
    const chunks: Buffer[] = [];
    pipe.on('data', (chunk: Buffer) => chunks.push(chunk));
    expect(await run({ root: t.root, images: ['app:1'] }, capture({ stdoutStream: pipe }).io)).toBe(0);
    expect(Buffer.concat(chunks).subarray(0, 100).toString('utf8')).toMatch(/^[0-9a-f]{64}\/?/);

    const file = path.join(t.dir, 'none.tar');
    const missing = capture();
    expect(await run({ root: t.root, images: ['app:1', 'foo'], output: file }, missing.io)).toBe(1);
    expect(missing.err()).toBe('Error: No such image: foo:latest\n');
    await expect(stat(file)).rejects.toThrow('ENOENT');
  });

  it.skipIf(!distBuilt())('runs through the compiled CLI', async () => {
    await buildImage(t.store, 'app:1');
    const file = path.join(t.dir, 'cli.tar');
    const result = await runCli(['save', '-o', file, 'app:1'], { TSBUILD_ROOT: t.root });
    expect(result).toEqual({ code: 0, stdout: '', stderr: '' });
    expect((await stat(file)).size).toBeGreaterThan(4096);
  });
});
