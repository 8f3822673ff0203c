// `tsbuild import ROOTFS.tar[.gz] NAME[:TAG]`, from a file or `-`.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../cli/commands/import/run.js';
import { capture, distBuilt, runCli, type TempStore, tarOf, tempStore } from './image-helpers.js';

let t: TempStore;
beforeEach(async () => {
  t = await tempStore();
});
afterEach(async () => {
  await t.cleanup();
});

describe('tsbuild import', () => {
  it('imports a gzip tarball and prints the image ID', async () => {
    const file = path.join(t.dir, 'rootfs.tar.gz');
    await writeFile(file, gzipSync(await tarOf({ 'bin/tool': '#!/bin/sh\n' })));
    const c = capture();
    expect(await run({ root: t.root, file, name: 'base:1', platform: 'linux/arm64/v8' }, c.io)).toBe(0);
    const image = await t.store.resolve('base:1', { os: 'linux', architecture: 'arm64' });
    expect(c.out()).toBe(`${image.configDigest}\n`);
    expect(image.config.config).toEqual({});
    expect(image.config.architecture).toBe('arm64');
    expect(image.config.variant).toBe('v8');
    expect(image.config.history).toEqual([{ created: image.config.created, comment: 'Imported from -' }]);
  });

  it('reads - from standard input, with a message', async () => {
    const c = capture({ stdin: Readable.from([await tarOf({ a: 'a\n' })]) });
    expect(await run({ root: t.root, file: '-', name: 'piped', message: 'from a pipe' }, c.io)).toBe(0);
    const image = await t.store.resolve('piped');
    expect(image.config.history?.[0]?.comment).toBe('from a pipe');
  });

  it('fails clearly for a missing file or a digest name', async () => {
    const missing = capture();
    expect(await run({ root: t.root, file: path.join(t.dir, 'nope.tar'), name: 'x' }, missing.io)).toBe(1);
    expect(missing.err()).toBe(`Error: ENOENT: no such file or directory, open '${path.join(t.dir, 'nope.tar')}'\n`);
    const digest = capture();
    expect(await run({ root: t.root, file: '-', name: `x@sha256:${'a'.repeat(64)}` }, digest.io)).toBe(1);
    expect(digest.err()).toBe(`Error: x@sha256:${'a'.repeat(64)}: a tag is needed, not a digest\n`);
  });

  it.skipIf(!distBuilt())('runs through the compiled CLI with - for stdin', async () => {
    const result = await runCli(['import', '-', 'cli:1'], { TSBUILD_ROOT: t.root }, await tarOf({ f: 'f\n' }));
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(`${(await t.store.resolve('cli:1')).configDigest}\n`);
  });
});
