// `tsbuild push` against Debian's docker-registry on loopback: what it pushed skopeo reads, and it pulls back
// with the same digests into an empty store.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { run as pull } from '../../cli/commands/pull/run.js';
import { run } from '../../cli/commands/push/run.js';
import { OciMediaType, Store } from '../../image/index.js';
import { type DistributionServer, startDistribution } from '../image/registry/distribution-server.js';
import { buildImage, capture, distBuilt, runCli, type TempStore, tempStore } from './image-helpers.js';

const exec = promisify(execFile);
let registry: DistributionServer;
let t: TempStore;

beforeAll(async () => {
  registry = await startDistribution();
});
afterAll(async () => {
  await registry?.stop();
});
beforeEach(async () => {
  t = await tempStore();
});
afterEach(async () => {
  await t.cleanup();
});

describe('tsbuild push', () => {
  it('pushes an image that skopeo reads and pull brings back identical', async () => {
    const name = `${registry.host}/team/app:v1`;
    const built = await buildImage(t.store, name);
    const image = await t.store.resolve(name);
    const c = capture();
    expect(await run({ root: t.root, name }, c.io)).toBe(0);
    const manifestSize = await t.store.blobSize(built.manifestDigest);
    expect(c.out()).toBe(
      [
        `The push refers to repository [${registry.host}/team/app]`,
        `${image.manifest.layers[0]!.digest.slice(7, 19)}: Pushed`,
        `${image.manifest.layers[1]!.digest.slice(7, 19)}: Pushed`,
        `v1: digest: ${built.manifestDigest} size: ${manifestSize}`,
        '',
      ].join('\n'),
    );
    expect(c.err()).toBe('');

    const again = capture();
    expect(await run({ root: t.root, name }, again.io)).toBe(0);
    expect(again.out()).toContain(`${image.manifest.layers[0]!.digest.slice(7, 19)}: Layer already exists\n`);

    const inspected = JSON.parse(
      (await exec('skopeo', ['inspect', '--tls-verify=false', `docker://${name}`])).stdout,
    ) as { Digest: string; Layers: string[] };
    expect(inspected.Digest).toBe(built.manifestDigest);
    expect(inspected.Layers).toEqual(image.manifest.layers.map((l) => l.digest));

    const other = path.join(t.dir, 'other');
    expect(await pull({ root: other, name }, capture().io)).toBe(0);
    const pulled = await (await Store.open(other)).resolve(name);
    expect(pulled.manifestDigest).toBe(built.manifestDigest);
    expect(pulled.configDigest).toBe(built.configDigest);
  });

  it("pushes an index with no image of this machine's platform (a multi-platform build for others) whole", async () => {
    const name = `${registry.host}/team/elsewhere:v1`;
    const images = [
      await buildImage(t.store, undefined, 'arm', 'arm64'),
      await buildImage(t.store, undefined, 'p', 'ppc64le'),
    ];
    const manifests = await Promise.all(
      images.map(async (image, i) => ({
        mediaType: OciMediaType.manifest,
        digest: image.manifestDigest,
        size: await t.store.blobSize(image.manifestDigest),
        platform: { os: 'linux', architecture: i === 0 ? 'arm64' : 'ppc64le' },
      })),
    );
    const index = await t.store.putManifest({ schemaVersion: 2, mediaType: OciMediaType.index, manifests });
    await t.store.tag(name, index.digest);
    const c = capture();
    expect(await run({ root: t.root, name }, c.io)).toBe(0);
    expect(c.out()).toContain(`v1: digest: ${index.digest} size: ${index.size}\n`);
    const raw = (await exec('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${name}`])).stdout;
    expect((JSON.parse(raw) as { manifests: { digest: string }[] }).manifests.map((m) => m.digest)).toEqual(
      images.map((image) => image.manifestDigest),
    );
  });

  it('fails clearly for an image that is not in the store, and for an unreachable registry', async () => {
    const missing = capture();
    expect(await run({ root: t.root, name: `${registry.host}/nope:1` }, missing.io)).toBe(1);
    expect(missing.err()).toBe(`Error: No such image: ${registry.host}/nope:1\n`);
    await buildImage(t.store, '127.0.0.1:1/x:1');
    const down = capture();
    expect(await run({ root: t.root, name: '127.0.0.1:1/x:1' }, down.io)).toBe(1);
    expect(down.err()).toMatch(/^Error: .*127\.0\.0\.1:1.*\n$/);
  });

  it.skipIf(!distBuilt())('runs through the compiled CLI', async () => {
    const name = `${registry.host}/cli/app:1`;
    const built = await buildImage(t.store, name, 'cli');
    const result = await runCli(['push', '-q', name], { TSBUILD_ROOT: t.root });
    const size = await t.store.blobSize(built.manifestDigest);
    expect(result).toEqual({ code: 0, stdout: `1: digest: ${built.manifestDigest} size: ${size}\n`, stderr: '' });
  });
});
