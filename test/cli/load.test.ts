// `tsbuild load`: docker-archive and OCI archive, from a file or standard input.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../cli/commands/load/run.js';
import { run as save } from '../../cli/commands/save/run.js';
import { Store } from '../../image/index.js';
import { buildImage, capture, distBuilt, runCli, type TempStore, tarOf, tempStore } from './image-helpers.js';

let t: TempStore;
beforeEach(async () => {
  t = await tempStore();
});
afterEach(async () => {
  await t.cleanup();
});

async function saved(format: 'docker' | 'oci'): Promise<{ file: string; configDigest: string }> {
  const built = await buildImage(t.store, 'localhost:5000/team/app:1');
  const file = path.join(t.dir, `${format}.tar`);
  expect(await save({ root: t.root, images: ['localhost:5000/team/app:1'], output: file, format }, capture().io)).toBe(
    0,
  );
  return { file, configDigest: built.configDigest };
}

describe('tsbuild load', () => {
  for (const format of ['docker', 'oci'] as const) {
    it(`loads a ${format} archive into another store`, async () => {
      const { file, configDigest } = await saved(format);
      const other = path.join(t.dir, 'other');
      const c = capture();
      expect(await run({ root: other, input: file }, c.io)).toBe(0);
      expect(c.out()).toBe('Loaded image: localhost:5000/team/app:1\n');
      const image = await (await Store.open(other)).resolve('localhost:5000/team/app:1');
      expect(image.configDigest).toBe(configDigest);
    });
  }

  it('reads standard input', async () => {
    const { file } = await saved('docker');
    const c = capture({ stdin: Readable.from([await readFile(file)]) });
    expect(await run({ root: path.join(t.dir, 'other') }, c.io)).toBe(0);
    expect(c.out()).toBe('Loaded image: localhost:5000/team/app:1\n');
  });

  it('rejects what is not an image archive', async () => {
    const file = path.join(t.dir, 'junk.tar');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(file, await tarOf({ 'hello.txt': 'hi\n' }));
    const c = capture();
    expect(await run({ root: t.root, input: file }, c.io)).toBe(1);
    expect(c.err()).toBe('Error: not a docker-archive or OCI archive: no manifest.json or oci-layout + index.json\n');
  });

  it.skipIf(!distBuilt())('runs through the compiled CLI, from a file and from stdin', async () => {
    const { file } = await saved('oci');
    const other = path.join(t.dir, 'other');
    const fromFile = await runCli(['load', '-i', file], { TSBUILD_ROOT: other });
    expect(fromFile).toEqual({ code: 0, stdout: 'Loaded image: localhost:5000/team/app:1\n', stderr: '' });
    const fromStdin = await runCli(['load'], { TSBUILD_ROOT: path.join(t.dir, 'third') }, await readFile(file));
    expect(fromStdin).toEqual({ code: 0, stdout: 'Loaded image: localhost:5000/team/app:1\n', stderr: '' });
  });
});
