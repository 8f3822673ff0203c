// `tsbuild images`: Docker's columns, familiar names, 12-hex IDs, newest first.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../cli/commands/images/run.js';
import { buildImage, capture, distBuilt, importImage, runCli, type TempStore, tempStore } from './image-helpers.js';

let t: TempStore;
beforeEach(async () => {
  t = await tempStore();
});
afterEach(async () => {
  await t.cleanup();
});

const now = Date.parse('2020-01-02T05:04:05Z');

describe('tsbuild images', () => {
  it('lists tags in Docker columns', async () => {
    const built = await buildImage(t.store, 'alpine:3');
    await buildImage(t.store, 'localhost:5000/team/app:v1');
    const imported = await importImage(t.store, 'base');
    const c = capture();
    expect(await run({ root: t.root, now }, c.io)).toBe(0);
    const id = built.configDigest.slice(7, 19);
    expect(c.out()).toBe(
      [
        'REPOSITORY                TAG       IMAGE ID       CREATED       SIZE',
        `alpine                    3         ${id}   2 hours ago   949B`,
        `base                      latest    ${imported.configDigest.slice(7, 19)}   2 hours ago   362B`,
        `localhost:5000/team/app   v1        ${id}   2 hours ago   949B`,
        '',
      ].join('\n'),
    );
    expect(c.err()).toBe('');
  });

  it('prints only IDs with -q, one per tag', async () => {
    const built = await buildImage(t.store, 'a:1');
    await t.store.tag('b:2', built.manifestDigest);
    const c = capture();
    expect(await run({ root: t.root, quiet: true }, c.io)).toBe(0);
    const id = built.configDigest.slice(7, 19);
    expect(c.out()).toBe(`${id}\n${id}\n`);
  });

  it('prints only the header for an empty store', async () => {
    const c = capture();
    expect(await run({ root: t.root, all: true }, c.io)).toBe(0);
    expect(c.out()).toBe('REPOSITORY   TAG       IMAGE ID   CREATED   SIZE\n');
  });

  it.skipIf(!distBuilt())('runs through the compiled CLI', async () => {
    const built = await buildImage(t.store, 'alpine:3');
    const result = await runCli(['images', '-q'], { TSBUILD_ROOT: t.root });
    expect(result).toEqual({ code: 0, stdout: `${built.configDigest.slice(7, 19)}\n`, stderr: '' });
  });
});
