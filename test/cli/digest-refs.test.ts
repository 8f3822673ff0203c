// Digest references (`name@sha256:…`), what a pull by digest records, as Docker's reference store does:
// the image stays in index.json (prune keeps it), `images` shows it with TAG <none>, `inspect` lists it in
// RepoDigests (never RepoTags), `tag` and `save` accept it as a source, `rmi` removes just that reference.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run as images } from '../../cli/commands/images/run.js';
import { run as inspect } from '../../cli/commands/inspect/run.js';
import { run as prune } from '../../cli/commands/prune/run.js';
import { run as rmi } from '../../cli/commands/rmi/run.js';
import { run as tag } from '../../cli/commands/tag/run.js';
import { readIndexFile } from '../../image/index.js';
import { buildImage, capture, type TempStore, tempStore } from './image-helpers.js';

let t: TempStore;
beforeEach(async () => {
  t = await tempStore();
});
afterEach(async () => {
  await t.cleanup();
});

const now = Date.parse('2020-01-02T05:04:05Z');

describe('digest references', () => {
  it('are stored in index.json, survive prune, and show as TAG <none> and in RepoDigests', async () => {
    const built = await buildImage(t.store, undefined);
    const ref = `alpine@${built.manifestDigest}`;
    await t.store.tag(ref, built.manifestDigest);
    const index = await readIndexFile(t.store.paths.indexJson);
    expect(index.manifests.map((m) => m.annotations)).toEqual([
      { 'org.opencontainers.image.ref.name': `docker.io/library/alpine@${built.manifestDigest}` },
    ]);

    const pruned = capture();
    expect(await prune({ root: t.root, keepRecentSeconds: 0 }, pruned.io)).toBe(0);
    expect(pruned.out()).toBe('Total reclaimed space: 0B\n');
    expect((await t.store.resolve(ref)).configDigest).toBe(built.configDigest);

    const listed = capture();
    expect(await images({ root: t.root, now }, listed.io)).toBe(0);
    expect(listed.out().split('\n')[1]).toBe(
      `alpine       <none>    ${built.configDigest.slice(7, 19)}   2 hours ago   15B`,
    );

    const inspected = capture();
    expect(await inspect({ root: t.root, images: [ref] }, inspected.io)).toBe(0);
    const [object] = JSON.parse(inspected.out());
    expect(object.RepoTags).toEqual([]);
    expect(object.RepoDigests).toEqual([ref]);
    expect(object.Id).toBe(built.configDigest);
  });

  it('must name the digest they point at', async () => {
    const a = await buildImage(t.store, undefined, 'a');
    const b = await buildImage(t.store, undefined, 'b');
    await expect(t.store.tag(`x@${a.manifestDigest}`, b.manifestDigest)).rejects.toThrow(
      `x@${a.manifestDigest} names ${a.manifestDigest}, not ${b.manifestDigest}`,
    );
  });

  it('next to a tag: images shows the tag row only, inspect both names; tag and rmi work by digest', async () => {
    const built = await buildImage(t.store, 'alpine:3');
    await t.store.tag(`alpine@${built.manifestDigest}`, built.manifestDigest);
    const listed = capture();
    expect(await images({ root: t.root, now, quiet: true }, listed.io)).toBe(0);
    expect(listed.out()).toBe(`${built.configDigest.slice(7, 19)}\n`);

    const inspected = capture();
    expect(await inspect({ root: t.root, images: ['alpine:3'] }, inspected.io)).toBe(0);
    const [object] = JSON.parse(inspected.out());
    expect(object.RepoTags).toEqual(['alpine:3']);
    expect(object.RepoDigests).toEqual([`alpine@${built.manifestDigest}`]);

    expect(await tag({ root: t.root, source: `alpine@${built.manifestDigest}`, target: 'mine:1' }, capture().io)).toBe(
      0,
    );
    expect((await t.store.resolve('mine:1')).manifestDigest).toBe(built.manifestDigest);

    const removed = capture();
    expect(await rmi({ root: t.root, images: [`alpine@${built.manifestDigest}`] }, removed.io)).toBe(0);
    expect(removed.out()).toBe(`Untagged: alpine@${built.manifestDigest}\n`);
    expect((await t.store.listImages()).map((i) => i.familiar)).toEqual(['alpine:3', 'mine:1']);
  });

  it('rmi of the last reference deletes the image, and prune then frees its blobs', async () => {
    const built = await buildImage(t.store, undefined);
    await t.store.tag(`team/app@${built.manifestDigest}`, built.manifestDigest);
    const removed = capture();
    expect(await rmi({ root: t.root, images: [`team/app@${built.manifestDigest}`] }, removed.io)).toBe(0);
    expect(removed.out()).toBe(`Untagged: team/app@${built.manifestDigest}\nDeleted: ${built.configDigest}\n`);
    expect(await prune({ root: t.root, keepRecentSeconds: 0, quiet: true }, capture().io)).toBe(0);
    expect(await t.store.hasBlob(built.manifestDigest)).toBe(false);
  });
});
