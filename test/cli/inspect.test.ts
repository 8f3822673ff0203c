// `tsbuild inspect`: Docker's JSON shape, 4-space indented; missing names reported after the array.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inspectImage } from '../../cli/commands/inspect/inspect-json.js';
import { run } from '../../cli/commands/inspect/run.js';
import type { ResolvedImage } from '../../image/index.js';
import {
  buildImage,
  capture,
  created,
  distBuilt,
  importImage,
  runCli,
  type TempStore,
  tempStore,
} from './image-helpers.js';

let t: TempStore;
beforeEach(async () => {
  t = await tempStore();
});
afterEach(async () => {
  await t.cleanup();
});

describe('tsbuild inspect', () => {
  it('prints the Docker image object', async () => {
    const built = await buildImage(t.store, 'alpine:3');
    await t.store.tag('localhost:5000/team/app:v1', built.manifestDigest);
    const image = await t.store.resolve('alpine:3');
    const c = capture();
    expect(await run({ root: t.root, images: ['alpine:3'] }, c.io)).toBe(0);
    const expected = [
      {
        Id: built.configDigest,
        RepoTags: ['alpine:3', 'localhost:5000/team/app:v1'],
        RepoDigests: [`alpine@${built.manifestDigest}`, `localhost:5000/team/app@${built.manifestDigest}`],
        Parent: '',
        Comment: 'buildkit.dockerfile.v0',
        Created: created,
        Author: 'someone',
        Config: { Env: ['PATH=/usr/bin:/bin', 'A=1'], Cmd: ['/bin/sh'], WorkingDir: '/app' },
        Architecture: 'amd64',
        Os: 'linux',
        Size: 15,
        RootFS: { Type: 'layers', Layers: image.config.rootfs.diff_ids },
        Metadata: { LastTagTime: '0001-01-01T00:00:00Z' },
      },
    ];
    expect(c.out()).toBe(`${JSON.stringify(expected, null, 4)}\n`);
    expect(c.err()).toBe('');
  });

  it('finds images by short ID and reports the missing ones', async () => {
    const imported = await importImage(t.store, 'base:1');
    const c = capture();
    expect(await run({ root: t.root, images: [imported.configDigest.slice(7, 19), 'foo'] }, c.io)).toBe(1);
    const parsed = JSON.parse(c.out());
    expect(parsed).toHaveLength(1);
    expect(parsed[0].RepoTags).toEqual(['base:1']);
    expect(parsed[0].Comment).toBe('Imported from -');
    expect(parsed[0].Config).toEqual({});
    expect(c.err()).toBe('Error: No such image: foo:latest\n');
  });

  it.skipIf(!distBuilt())('runs through the compiled CLI', async () => {
    const result = await runCli(['inspect', 'nothing'], { TSBUILD_ROOT: t.root });
    expect(result).toEqual({ code: 1, stdout: '[]\n', stderr: 'Error: No such image: nothing:latest\n' });
  });

  it('prints Created in Go’s form, as Docker prints the time it read, whatever form the config holds', () => {
    const image = (created: string) =>
      ({
        configDigest: 'sha256:c',
        manifestDigest: 'sha256:m',
        config: { architecture: 'amd64', os: 'linux', created, rootfs: { type: 'layers', diff_ids: [] } },
      }) as unknown as ResolvedImage;
    expect(inspectImage(image('2020-01-02T03:04:05.000Z'), [], 0).Created).toBe('2020-01-02T03:04:05Z');
    expect(inspectImage(image('2020-01-02T03:04:05.500+00:00'), [], 0).Created).toBe('2020-01-02T03:04:05.5Z');
    expect(inspectImage(image('2023-12-08T19:17:58.873925467Z'), [], 0).Created).toBe('2023-12-08T19:17:58.873925467Z');
  });
});
