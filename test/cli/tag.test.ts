// `tsbuild tag SOURCE TARGET`.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../cli/commands/tag/run.js';
import { buildImage, capture, distBuilt, runCli, type TempStore, tempStore } from './image-helpers.js';

let t: TempStore;
beforeEach(async () => {
  t = await tempStore();
});
afterEach(async () => {
  await t.cleanup();
});

describe('tsbuild tag', () => {
  it('adds a normalised tag pointing at the same manifest', async () => {
    const built = await buildImage(t.store, 'app:1');
    const c = capture();
    expect(
      await run({ root: t.root, source: built.configDigest.slice(7, 15), target: 'localhost:5000/x/app:2' }, c.io),
    ).toBe(0);
    expect(c.out() + c.err()).toBe('');
    const refs = (await t.store.listImages()).map((image) => [image.ref, image.descriptor.digest]);
    expect(refs).toEqual([
      ['docker.io/library/app:1', built.manifestDigest],
      ['localhost:5000/x/app:2', built.manifestDigest],
    ]);
  });

  it('rejects a missing source and an invalid target', async () => {
    await buildImage(t.store, 'app:1');
    const missing = capture();
    expect(await run({ root: t.root, source: 'nope:1', target: 'x' }, missing.io)).toBe(1);
    expect(missing.err()).toBe('Error: No such image: nope:1\n');
    const bad = capture();
    expect(await run({ root: t.root, source: 'app:1', target: 'Bad/Name' }, bad.io)).toBe(1);
    expect(bad.err()).toBe(
      'Error parsing reference: "Bad/Name" is not a valid repository/tag: invalid reference format: repository name (Name) must be lowercase\n',
    );
    const digest = capture();
    expect(await run({ root: t.root, source: 'app:1', target: `x@sha256:${'a'.repeat(64)}` }, digest.io)).toBe(1);
    expect(digest.err()).toContain('refusing to create a tag with a digest reference');
  });

  it.skipIf(!distBuilt())('runs through the compiled CLI', async () => {
    const built = await buildImage(t.store, 'app:1');
    const result = await runCli(['tag', 'app:1', 'app:2'], { TSBUILD_ROOT: t.root });
    expect(result).toEqual({ code: 0, stdout: '', stderr: '' });
    expect((await t.store.resolve('app:2')).manifestDigest).toBe(built.manifestDigest);
  });
});
