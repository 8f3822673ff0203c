// `tsbuild rmi`: untag; the last tag removes the image from the index; by ID across repositories needs -f.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../cli/commands/rmi/run.js';
import { hostPlatform, OciMediaType } from '../../image/index.js';
import { buildImage, capture, distBuilt, runCli, type TempStore, tempStore } from './image-helpers.js';

let t: TempStore;
beforeEach(async () => {
  t = await tempStore();
});
afterEach(async () => {
  await t.cleanup();
});

const refs = async () => (await t.store.listImages()).map((image) => image.familiar);

describe('tsbuild rmi', () => {
  it('untags, and deletes with the last tag', async () => {
    const built = await buildImage(t.store, 'app:1');
    await t.store.tag('app:2', built.manifestDigest);
    const first = capture();
    expect(await run({ root: t.root, images: ['app:1'] }, first.io)).toBe(0);
    expect(first.out()).toBe('Untagged: app:1\n');
    expect(await refs()).toEqual(['app:2']);
    const last = capture();
    expect(await run({ root: t.root, images: ['app:2'] }, last.io)).toBe(0);
    expect(last.out()).toBe(`Untagged: app:2\nDeleted: ${built.configDigest}\n`);
    expect(await refs()).toEqual([]);
    await expect(t.store.resolve('app:2')).rejects.toThrow('No such image: app:2');
  });

  it('needs -f to remove an ID referenced in several repositories', async () => {
    const built = await buildImage(t.store, 'app:1');
    await t.store.tag('other:1', built.manifestDigest);
    const id = built.configDigest.slice(7, 19);
    const refused = capture();
    expect(await run({ root: t.root, images: [id] }, refused.io)).toBe(1);
    expect(refused.err()).toBe(
      `Error: conflict: unable to delete ${id} (must be forced) - image is referenced in multiple repositories\n`,
    );
    expect(await refs()).toEqual(['app:1', 'other:1']);
    const forced = capture();
    expect(await run({ root: t.root, images: [id], force: true }, forced.io)).toBe(0);
    expect(forced.out()).toBe(`Untagged: app:1\nUntagged: other:1\nDeleted: ${built.configDigest}\n`);
    expect(await refs()).toEqual([]);
  });

  it('untags an image of other platforms only (an index with no image for this machine), naming its image', async () => {
    const built = await buildImage(t.store, undefined);
    const foreign = { os: 'linux', architecture: 's390x' };
    const index = await t.store.putManifest({
      schemaVersion: 2,
      mediaType: OciMediaType.index,
      manifests: [
        {
          mediaType: OciMediaType.manifest,
          digest: built.manifestDigest,
          size: await t.store.blobSize(built.manifestDigest),
          platform: foreign,
        },
      ],
    });
    await t.store.tag('elsewhere:1', index.digest);
    await expect(t.store.resolve('elsewhere:1', hostPlatform())).rejects.toThrow('no manifest for platform');
    const c = capture();
    expect(await run({ root: t.root, images: ['elsewhere:1'] }, c.io)).toBe(0);
    // The id `inspect` shows for the name: the index's first image, as no platform was asked for.
    expect(c.out()).toBe(`Untagged: elsewhere:1\nDeleted: ${built.configDigest}\n`);
    expect(await refs()).toEqual([]);
  });

  it('reports missing images and goes on with the others', async () => {
    await buildImage(t.store, 'app:1');
    const c = capture();
    expect(await run({ root: t.root, images: ['foo', 'app:1'] }, c.io)).toBe(1);
    expect(c.err()).toBe('Error: No such image: foo:latest\n');
    expect(c.out()).toContain('Untagged: app:1\n');
  });

  it.skipIf(!distBuilt())('runs through the compiled CLI', async () => {
    await buildImage(t.store, 'app:1');
    await t.store.tag('app:2', (await t.store.resolve('app:1')).manifestDigest);
    const result = await runCli(['rmi', 'app:1', 'nope'], { TSBUILD_ROOT: t.root });
    expect(result).toEqual({ code: 1, stdout: 'Untagged: app:1\n', stderr: 'Error: No such image: nope:latest\n' });
  });
});
