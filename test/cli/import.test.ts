// `tsbuild import ROOTFS.tar[.gz] NAME[:TAG]`, from a file or `-`.
import { readdir, writeFile } from 'node:fs/promises';
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

  it('refuses input that is not a tar, or a gzip that breaks off, naming it, and stores nothing', async () => {
    const notTar = path.join(t.dir, 'notes.txt');
    await writeFile(notTar, 'just some text, certainly not a tar archive\n'.repeat(40));
    const gzip = gzipSync(await tarOf({ 'bin/tool': 'x'.repeat(100_000) }));
    const cut = path.join(t.dir, 'rootfs.tar.gz');
    await writeFile(cut, gzip.subarray(0, gzip.length - 50));
    const badGzipData = path.join(t.dir, 'garbage.gz');
    await writeFile(badGzipData, Buffer.concat([gzip.subarray(0, 20), Buffer.alloc(4000, 0xaa)]));
    const short = path.join(t.dir, 'short.txt');
    await writeFile(short, 'hello\n');
    const empty = path.join(t.dir, 'empty.tar');
    await writeFile(empty, '');
    const cases: [string, RegExp][] = [
      [notTar, /^Error: .*notes\.txt is not a tar archive \(plain, gzip or zstd\)\n$/],
      [
        short,
        /^Error: .*short\.txt is not a tar archive \(plain, gzip or zstd\): 6 bytes is too short for a tar header\n$/,
      ],
      [cut, /^Error: .*rootfs\.tar\.gz is not a tar archive \(plain, gzip or zstd\): unexpected end of file\n$/],
      [badGzipData, /^Error: .*garbage\.gz is not a tar archive \(plain, gzip or zstd\): .+\n$/],
      [empty, /^Error: .*empty\.tar is not a tar archive \(plain, gzip or zstd\): it is empty\n$/],
    ];
    for (const [file, message] of cases) {
      const c = capture();
      expect(await run({ root: t.root, file, name: 'bad:1' }, c.io)).toBe(1);
      expect(c.err()).toMatch(message);
      expect(c.err()).toContain(file);
    }
    const piped = capture({ stdin: Readable.from([Buffer.from('<html>not found</html>\n'.repeat(50))]) });
    expect(await run({ root: t.root, file: '-', name: 'bad:1' }, piped.io)).toBe(1);
    expect(piped.err()).toBe('Error: standard input is not a tar archive (plain, gzip or zstd)\n');
    expect(await t.store.listImages()).toEqual([]);
    expect(await readdir(t.store.paths.blobs)).toEqual([]);
  });

  it('stamps created with SOURCE_DATE_EPOCH when set (same tarball, same image ID), else with now', async () => {
    const file = path.join(t.dir, 'rootfs.tar');
    await writeFile(file, await tarOf({ a: 'a\n' }));
    const ids: string[] = [];
    for (const name of ['e:1', 'e:2']) {
      const c = capture({ env: { SOURCE_DATE_EPOCH: '1700000000' } });
      expect(await run({ root: t.root, file, name }, c.io)).toBe(0);
      ids.push(c.out());
    }
    expect(ids[0]).toBe(ids[1]);
    const image = await t.store.resolve('e:1');
    // Go's form, as Docker writes it: no fraction of a second when there is none.
    expect(image.config.created).toBe('2023-11-14T22:13:20Z');
    expect(image.config.history).toEqual([{ created: '2023-11-14T22:13:20Z', comment: 'Imported from -' }]);
    const before = Date.now();
    const now = capture({ env: {} });
    expect(await run({ root: t.root, file, name: 'n:1' }, now.io)).toBe(0);
    const createdText = (await t.store.resolve('n:1')).config.created ?? '';
    expect(createdText).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d*[1-9])?Z$/);
    expect(Date.parse(createdText)).toBeGreaterThanOrEqual(before - 1000);
    const bad = capture({ env: { SOURCE_DATE_EPOCH: 'yesterday' } });
    expect(await run({ root: t.root, file, name: 'n:2' }, bad.io)).toBe(1);
    expect(bad.err()).toBe('Error: invalid SOURCE_DATE_EPOCH "yesterday": whole seconds since 1970 expected\n');
  });

  it.skipIf(!distBuilt())('runs through the compiled CLI with - for stdin', async () => {
    const result = await runCli(['import', '-', 'cli:1'], { TSBUILD_ROOT: t.root }, await tarOf({ f: 'f\n' }));
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(`${(await t.store.resolve('cli:1')).configDigest}\n`);
  });
});
