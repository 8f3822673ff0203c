// A name tagging an index with no image of this machine's platform (a multi-platform build for other platforms, a
// pull for another one): without --platform, docker's image store takes the first image it has, and so do inspect,
// history, tag and save; a build's base image still needs its own platform.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run as history } from '../../cli/commands/history/run.js';
import { run as inspect } from '../../cli/commands/inspect/run.js';
import { run as save } from '../../cli/commands/save/run.js';
import { run as tag } from '../../cli/commands/tag/run.js';
import { hostPlatform, OciMediaType } from '../../image/index.js';
import { buildImage, capture, foreignIndex, type TempStore, tempStore } from './image-helpers.js';

let t: TempStore;
beforeEach(async () => {
  t = await tempStore();
});
afterEach(async () => {
  await t.cleanup();
});

describe('an index without an image of this platform', () => {
  it('resolves to its first image in the store when no platform is asked for, and to none when one is', async () => {
    const foreign = await foreignIndex(t.store, 'elsewhere:1');
    const image = await t.store.resolve('elsewhere:1');
    expect([image.indexDigest, image.manifestDigest, image.configDigest]).toEqual([
      foreign.indexDigest,
      foreign.arm64.manifestDigest,
      foreign.arm64.configDigest,
    ]);
    expect(image.config.architecture).toBe('arm64');
    // By digest too, and the index's own digest stays the name's.
    expect((await t.store.resolve(`elsewhere@${foreign.indexDigest}`)).manifestDigest).toBe(
      foreign.arm64.manifestDigest,
    );
    const host = hostPlatform();
    await expect(t.store.resolve('elsewhere:1', host)).rejects.toThrow(
      `elsewhere:1: no manifest for platform ${host.os}/${host.architecture}`,
    );
    await expect(t.store.resolve('elsewhere:1', host, { strictPlatform: true })).rejects.toThrow(
      'no manifest for platform',
    );
    await expect(t.store.resolve('elsewhere:1', { os: 'linux', architecture: 's390x' })).rejects.toThrow(
      'elsewhere:1: the linux/s390x manifest is not in the store',
    );
    expect((await t.store.resolve('elsewhere:1', { os: 'linux', architecture: 'ppc64le' })).manifestDigest).toBe(
      foreign.ppc64le.manifestDigest,
    );
  });

  it("still prefers this machine's image when the index has one, wherever it is in the index", async () => {
    const foreign = await foreignIndex(t.store, 'elsewhere:1');
    const native = await buildImage(t.store, undefined, 'native', hostPlatform().architecture);
    const index = await t.store.putManifest({
      schemaVersion: 2,
      mediaType: OciMediaType.index,
      manifests: [
        {
          mediaType: OciMediaType.manifest,
          digest: foreign.arm64.manifestDigest,
          size: await t.store.blobSize(foreign.arm64.manifestDigest),
          platform: { os: 'linux', architecture: 'arm64' },
        },
        {
          mediaType: OciMediaType.manifest,
          digest: native.manifestDigest,
          size: await t.store.blobSize(native.manifestDigest),
          platform: hostPlatform(),
        },
      ],
    });
    await t.store.tag('both:1', index.digest);
    expect((await t.store.resolve('both:1')).manifestDigest).toBe(native.manifestDigest);
  });

  it('is inspected, shown in history and tagged by its name', async () => {
    const foreign = await foreignIndex(t.store, 'elsewhere:1');
    const shown = capture();
    expect(
      await inspect({ root: t.root, images: ['elsewhere:1'], format: '{{.Id}} {{.Architecture}}' }, shown.io),
    ).toBe(0);
    expect([shown.out(), shown.err()]).toEqual([`${foreign.arm64.configDigest} arm64\n`, '']);
    const digests = capture();
    expect(await inspect({ root: t.root, images: ['elsewhere:1'], format: '{{json .RepoDigests}}' }, digests.io)).toBe(
      0,
    );
    expect(digests.out()).toBe(`["elsewhere@${foreign.indexDigest}"]\n`);

    const rows = capture();
    expect(await history({ root: t.root, image: 'elsewhere:1', quiet: true }, rows.io)).toBe(0);
    expect([rows.out(), rows.err()]).toEqual([
      `${foreign.arm64.configDigest.slice(7, 19)}\n<missing>\n<missing>\n`,
      '',
    ]);

    const tagged = capture();
    expect(await tag({ root: t.root, source: 'elsewhere:1', target: 'copy:1' }, tagged.io)).toBe(0);
    expect(tagged.err()).toBe('');
    const refs = (await t.store.listImages()).map((image) => [image.ref, image.descriptor.digest]);
    expect(refs).toEqual([
      ['docker.io/library/copy:1', foreign.indexDigest],
      ['docker.io/library/elsewhere:1', foreign.indexDigest],
    ]);
  });

  it('is saved by its name: the image docker load gets is the one inspect shows', async () => {
    const foreign = await foreignIndex(t.store, 'elsewhere:1');
    const archive = path.join(t.dir, 'elsewhere.tar');
    const c = capture();
    expect(await save({ root: t.root, images: ['elsewhere:1'], output: archive }, c.io)).toBe(0);
    expect(c.err()).toBe('');
    const manifest = JSON.parse(execFileSync('tar', ['-xOf', archive, 'manifest.json'], { encoding: 'utf8' }));
    expect(manifest).toMatchObject([
      { Config: `${foreign.arm64.configDigest.slice(7)}.json`, RepoTags: ['elsewhere:1'] },
    ]);
  });
});
