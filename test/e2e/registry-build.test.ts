// Builds against a real registry (Debian's docker-registry on loopback): FROM an image the store lacks is
// pulled, `--pull` re-resolves tags, an unpullable base names the ways to get it, and `--push` /
// `--output type=registry` push the built image under its names.
import { createHash } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asStoreOutput, pushTargets } from '../../cli/commands/build/push.js';
import type { BuildCliOptions } from '../../cli/commands/build/run.js';
import { readAll } from '../../cli/commands/images/command-io.js';
import { run as pull } from '../../cli/commands/pull/run.js';
import { run as push } from '../../cli/commands/push/run.js';
import { parsePushOutput, snapshotIdOf } from '../../executor/index.js';
import {
  compressedImage,
  type Digest,
  OciMediaType,
  parseDockerRef,
  RegistryClient,
  Store,
} from '../../image/index.js';
import { capture } from '../cli/image-helpers.js';
import { type DistributionServer, freePort, startDistribution } from '../image/registry/distribution-server.js';
import { buildCommand } from './build-command.js';
import { buildIn, freshDir, isolationUnavailable, removeFreshDirs, storeWithBusybox, writeContext } from './helpers.js';

const cli = (store: Store, opts: Partial<BuildCliOptions> & { context: string }) =>
  buildCommand(store, { progress: 'plain', ...opts }, { env: { HOME: '/nonexistent' } });

async function contextWith(dockerfile: string): Promise<string> {
  const ctx = await freshDir('c');
  await writeContext(ctx, [
    { path: 'Dockerfile', content: dockerfile },
    { path: 'a.txt', content: 'from the registry\n' },
  ]);
  return ctx;
}

/** The manifest digest a tag names on the registry. */
async function remoteDigest(name: string): Promise<string> {
  const client = new RegistryClient();
  try {
    return (await client.resolve(parseDockerRef(name))).digest;
  } finally {
    client.close();
  }
}

/** The digest a push of `name` sends: the stored manifest with compressed layers. */
async function exported(store: Store, name: string): Promise<string> {
  return (await compressedImage(store, (await store.resolve(name)).manifestDigest)).digest;
}

/** Uploads a stored image as it is, layers uncompressed (as other tools may push them): digests stay the local ones. */
async function publishAsStored(store: Store, local: string, remote: string): Promise<void> {
  const image = await store.resolve(local);
  const ref = parseDockerRef(remote);
  const repo = { domain: ref.domain, path: ref.path };
  const blobs = [...image.manifest.layers, image.manifest.config];
  const sources = await Promise.all(
    blobs.map(async (blob) => ({ blob, source: { bytes: await readAll(store.openBlob(blob.digest)) } })),
  );
  const client = new RegistryClient();
  try {
    await client.pushBlobs(repo, sources);
    const manifest = await store.readBlob(image.manifestDigest);
    await client.putManifest(repo, ref.tag!, image.manifest.mediaType ?? OciMediaType.manifest, manifest);
  } finally {
    client.close();
  }
}

async function publish(store: Store, name: string): Promise<void> {
  const out = capture();
  expect(await push({ root: store.root, name, quiet: true }, out.io), out.err()).toBe(0);
}

describe('pushing --output specs', () => {
  it('reads type=registry and type=image,push=true; leaves every other output to the exporters', () => {
    expect(parsePushOutput('type=registry')).toEqual({ names: [] });
    expect(parsePushOutput('type=registry,"name=a:1,b:2"')).toEqual({ names: ['a:1', 'b:2'] });
    expect(parsePushOutput('type=image,name=a:1,push=true')).toEqual({ names: ['a:1'] });
    expect(parsePushOutput('type=image,name=a:1')).toBeNull();
    expect(parsePushOutput('type=image,push=false')).toBeNull();
    expect(parsePushOutput('type=local,dest=out')).toBeNull();
    expect(parsePushOutput('out')).toBeNull();
    expect(() => parsePushOutput('type=image,push=yes')).toThrow('invalid value yes for push (true or false)');
    expect(asStoreOutput('type=registry,name=a:1')).toBe('type=image,name=a:1');
    expect(asStoreOutput('name=a:1, type=registry')).toBe('name=a:1,type=image');
    expect(asStoreOutput('type=local,dest=registry')).toBe('type=local,dest=registry');
  });

  it('pushes to the -t names by default, normalised, each once', () => {
    expect(pushTargets(true, ['type=registry'], ['app', 'host:5000/x/y:2'])).toEqual([
      'docker.io/library/app:latest',
      'host:5000/x/y:2',
    ]);
    expect(pushTargets(false, ['type=registry,name=other:3'], ['app:1'])).toEqual(['docker.io/library/other:3']);
    expect(pushTargets(false, ['type=local,dest=x'], [])).toEqual([]);
    expect(() => pushTargets(true, [], [])).toThrow('tag is needed when pushing to registry');
  });
});

describe.skipIf(isolationUnavailable() !== undefined)('builds with a registry', () => {
  let registry: DistributionServer;
  let source: Store;

  beforeAll(async () => {
    registry = await startDistribution();
    source = await storeWithBusybox();
    await source.tag(`${registry.host}/base/busybox:1`, (await source.resolve('busybox')).manifestDigest);
    await publish(source, `${registry.host}/base/busybox:1`);
  }, 60_000);

  afterAll(async () => {
    await registry?.stop();
    await removeFreshDirs();
  });

  it('pulls a FROM image the store lacks, then uses the stored copy', async () => {
    const base = `${registry.host}/base/busybox:1`;
    const store = await Store.open(await freshDir('s'));
    const ctx = await contextWith(`FROM ${base}\nCOPY a.txt /a.txt\n`);
    const first = await cli(store, { context: ctx, tags: ['app:1'] });
    expect(first.stderr, first.stderr).toContain(`[internal] load metadata for ${base}\n`);
    expect(first.code).toBe(0);
    // What left the source store: its manifest with compressed layers (builds store layers uncompressed).
    const wanted = await exported(source, base);
    expect(first.stderr).toContain(`resolve ${registry.host}/base/busybox@${wanted} done`);
    expect((await store.resolve(base)).manifestDigest).toBe(wanted);
    // The pulled layer, verified and renamed into the store (no partial download left behind).
    const layer = (await store.resolve(base)).manifest.layers[0]!;
    expect(await store.hasBlob(layer.digest)).toBe(true);

    const second = await cli(store, { context: ctx, tags: ['app:1'] });
    expect(second.code).toBe(0);
    expect(second.stderr).not.toContain('load metadata');
    expect(second.stdout).toBe(first.stdout);
  });

  it('pulls an image two stages need once; pull=never keeps the build offline', async () => {
    const base = `${registry.host}/base/busybox:1`;
    const store = await Store.open(await freshDir('s'));
    const ctx = await contextWith(`FROM ${base} AS a\nCOPY a.txt /a\nFROM ${base}\nCOPY --from=a /a /b\n`);
    const offline = await buildIn(store, ctx, { pull: 'never' });
    expect(offline.error?.message).toBe(
      `image ${base} is not in the local store: import a root filesystem with 'tsbuild import ROOTFS.tar ${base}', ` +
        `load a saved image with 'tsbuild load -i FILE', or pull it into the store first`,
    );
    expect(offline.log).not.toContain('load metadata');
    const online = await buildIn(store, ctx);
    expect(online.error).toBeNull();
    expect(online.log.split('\n').filter((l) => l.endsWith(`[internal] load metadata for ${base}`))).toHaveLength(1);
  });

  it('--pull moves to the registry’s digest, and reuses the stored blobs when it is unchanged', async () => {
    const base = `${registry.host}/base/moving:1`;
    const store = await Store.open(await freshDir('s'));
    await source.tag(base, (await source.resolve('busybox')).manifestDigest);
    await publish(source, base);
    const ctx = await contextWith(`FROM ${base}\nCOPY a.txt /a.txt\n`);
    expect((await cli(store, { context: ctx, tags: ['app:1'] })).code).toBe(0);

    // Unchanged on the registry: resolved again, nothing downloaded.
    const same = await cli(store, { context: ctx, tags: ['app:1'], pull: true });
    expect(same.code).toBe(0);
    expect(same.stderr).toContain(`[internal] load metadata for ${base}\n`);
    expect(same.stderr).not.toMatch(/sha256:[0-9a-f]{64} \d+ bytes done/);

    // A new image under the same tag: built in the source store, pushed, then picked up only with --pull.
    const relabel = await contextWith('FROM busybox\nLABEL version=2\n');
    expect((await cli(source, { context: relabel, tags: [base], push: true })).code).toBe(0);
    const moved = await remoteDigest(base);
    expect(moved).not.toBe((await store.resolve(base)).manifestDigest);
    const stale = await cli(store, { context: ctx, tags: ['app:1'] });
    expect(stale.stderr).not.toContain('load metadata');
    const fresh = await cli(store, { context: ctx, tags: ['app:1'], pull: true });
    expect(fresh.code).toBe(0);
    expect((await store.resolve(base)).manifestDigest).toBe(moved);
    expect((await store.resolve(base)).config.config?.Labels).toEqual({ version: '2' });
    expect(fresh.stdout).not.toBe(stale.stdout);
  });

  it('names the ways to get a base image that cannot be pulled (404, no registry)', async () => {
    const store = await Store.open(await freshDir('s'));
    const missing = `${registry.host}/nothing/here:1`;
    const notFound = await cli(store, { context: await contextWith(`FROM ${missing}\nCOPY a.txt /\n`), quiet: true });
    expect(notFound.code).toBe(1);
    expect(notFound.stderr).toBe(
      `ERROR: failed to solve: image ${missing} is not in the local store: import a root filesystem with ` +
        `'tsbuild import ROOTFS.tar ${missing}', load a saved image with 'tsbuild load -i FILE', or pull it into ` +
        `the store first (pulling ${missing} failed: manifest unknown: ${missing} not found)\n`,
    );
    const nobody = `127.0.0.1:${await freePort()}/x:1`;
    const refused = await cli(store, { context: await contextWith(`FROM ${nobody}\nCOPY a.txt /\n`), quiet: true });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      new RegExp(
        `^ERROR: failed to solve: image ${nobody} is not in the local store: import a root filesystem with .*` +
          `\\(pulling ${nobody} failed: .*ECONNREFUSED.*\\)\n$`,
      ),
    );
    expect(await store.listImages()).toEqual([]);
  }, 60_000);

  it('says why a registry that wants credentials refused the pull (401)', async () => {
    const locked = await startDistribution({ htpasswd: true });
    try {
      const store = await Store.open(await freshDir('s'));
      const name = `${locked.host}/private/base:1`;
      const result = await cli(store, { context: await contextWith(`FROM ${name}\nCOPY a.txt /\n`), quiet: true });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`ERROR: failed to solve: image ${name} is not in the local store: `);
      expect(result.stderr).toContain(`(pulling ${name} failed: `);
      expect(result.stderr).toMatch(/401|unauthorized|authentication/i);
    } finally {
      await locked.stop();
    }
  }, 60_000);

  it('--push and --output type=registry push the built image under each name', async () => {
    const store = await storeWithBusybox();
    const ctx = await contextWith('FROM busybox\nCOPY a.txt /a.txt\n');
    const tag = `${registry.host}/app/pushed:1`;
    const metadataFile = path.join(await freshDir('meta'), 'meta.json');
    const built = await cli(store, { context: ctx, tags: [tag], push: true, metadataFile });
    expect(built.code, built.stderr).toBe(0);
    const local = (await store.resolve(tag)).manifestDigest;
    const manifest = await exported(store, tag);
    expect(built.stderr).toContain(`pushing manifest for ${tag}@${manifest} done`);
    expect(await remoteDigest(tag)).toBe(manifest);
    // As buildx's: the digest the registry holds, which `pull NAME@DIGEST` and signatures need, not the local one.
    const metadata = JSON.parse(await readFile(metadataFile, 'utf8'));
    expect(metadata['containerimage.digest']).toBe(manifest);
    expect(metadata['containerimage.descriptor']).toEqual({
      mediaType: OciMediaType.manifest,
      digest: manifest,
      size: await store.blobSize(manifest as Digest),
    });
    expect(manifest).not.toBe(local);
    // The pushed manifest names gzip layers; the registry has every blob it names.
    const pushed = await store.readJson<{ layers: { mediaType: string }[] }>(manifest as Digest);
    expect(pushed.layers.map((l) => l.mediaType)).toEqual(pushed.layers.map(() => OciMediaType.layerGzip));

    const other = `${registry.host}/app/other:2`;
    const output = await cli(store, { context: ctx, tags: ['local:1'], outputs: [`type=registry,name=${other}`] });
    expect(output.code, output.stderr).toBe(0);
    expect(await remoteDigest(other)).toBe(manifest);
    // type=registry is the image exporter with push=true: the name is a store tag too.
    expect((await store.resolve(other)).manifestDigest).toBe(local);

    const third = `${registry.host}/app/third:3`;
    const image = await cli(store, { context: ctx, outputs: [`type=image,name=${third},push=true`] });
    expect(image.code, image.stderr).toBe(0);
    expect(await remoteDigest(third)).toBe(manifest);
  });

  it('pushes a RUN layer kept as its snapshot; pulled into another store it is the same layer', async () => {
    const store = await storeWithBusybox();
    const ctx = await contextWith('FROM busybox\nRUN head -c 300000 /dev/urandom > /big && md5sum /big > /big.md5\n');
    const tag = `${registry.host}/app/lazy:1`;
    const built = await cli(store, { context: ctx, tags: [tag], push: true });
    expect(built.code, built.stderr).toBe(0);
    const local = await store.resolve(tag);
    expect(await store.isLazyLayer(local.manifest.layers.at(-1)!.digest)).toBe(true);

    const other = await Store.open(await freshDir('s'));
    const check = await contextWith(`FROM ${tag}\nRUN md5sum -c /big.md5\n`);
    const pulled = await cli(other, { context: check, tags: ['check:1'] });
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(pulled.stderr).toContain('/big: OK');
    expect((await other.resolve(tag)).config.rootfs.diff_ids).toEqual(local.config.rootfs.diff_ids);
  }, 60_000);

  it('pulls a layer again whose local copy was kept as a snapshot since removed by hand; a push of it names both', async () => {
    const store = await storeWithBusybox();
    const built = await cli(store, {
      context: await contextWith('FROM busybox\nRUN head -c 300000 /dev/urandom > /big\n'),
      tags: ['lazy:plain'],
    });
    expect(built.code, built.stderr).toBe(0);
    const layer = (await store.resolve('lazy:plain')).manifest.layers.at(-1)!;
    expect(await store.isLazyLayer(layer.digest)).toBe(true);
    const remote = `${registry.host}/app/plain:1`;
    await publishAsStored(store, 'lazy:plain', remote);
    const snapshot = path.join(store.paths.snapshots, snapshotIdOf(layer.digest));
    await rm(snapshot, { recursive: true });

    const pushed = capture();
    expect(await push({ root: store.root, name: 'lazy:plain', quiet: true }, pushed.io)).toBe(1);
    expect(pushed.err()).toBe(
      `Error: layer ${layer.digest} cannot be rebuilt: its snapshot ${snapshot} is gone; ` +
        'remove the images that use it and build (or pull) them again\n',
    );

    const pulled = capture();
    expect(await pull({ root: store.root, name: remote }, pulled.io), pulled.err()).toBe(0);
    expect(pulled.out()).not.toContain(`${layer.digest.slice(7, 19)}: Already exists`);
    expect(await store.blobForm(layer.digest)).toBe('file');
    const hash = createHash('sha256');
    for await (const chunk of store.openBlob(layer.digest)) hash.update(chunk);
    expect(`sha256:${hash.digest('hex')}`).toBe(layer.digest);
  }, 60_000);

  it('pushes a list of platforms as one image index; a pull of one platform gets that platform’s image', async () => {
    const store = await storeWithBusybox();
    const ctx = await contextWith(
      'FROM --platform=$BUILDPLATFORM busybox AS build\nARG TARGETARCH\nRUN echo $TARGETARCH > /arch\n' +
        'FROM scratch\nCOPY --from=build /arch /arch\n',
    );
    const tag = `${registry.host}/app/multi:1`;
    const metadataFile = path.join(await freshDir('meta'), 'meta.json');
    const built = await cli(store, {
      context: ctx,
      tags: [tag],
      push: true,
      platform: 'linux/amd64,linux/arm64',
      metadataFile,
    });
    expect(built.code, built.stderr).toBe(0);
    const pushed = await remoteDigest(tag);
    const metadata = JSON.parse(await readFile(metadataFile, 'utf8'));
    expect(metadata['containerimage.digest']).toBe(pushed);
    expect(metadata['containerimage.config.digest']).toBeUndefined();
    const index = await store.readJson<{ mediaType: string; manifests: { platform: { architecture: string } }[] }>(
      pushed as Digest,
    );
    expect(index.mediaType).toBe(OciMediaType.index);
    expect(index.manifests.map((m) => m.platform.architecture)).toEqual(['amd64', 'arm64']);

    const other = await Store.open(await freshDir('s'));
    const pulled = capture();
    expect(await pull({ root: other.root, name: tag, platform: 'linux/arm64' }, pulled.io), pulled.err()).toBe(0);
    const arm = await other.resolve(tag, { os: 'linux', architecture: 'arm64' });
    expect(arm.configDigest).toBe((await store.resolve(tag, { os: 'linux', architecture: 'arm64' })).configDigest);
    expect(arm.config.architecture).toBe('arm64');
  }, 60_000);

  it('refuses a push without a name before building', async () => {
    const store = await Store.open(await freshDir('s'));
    const ctx = await contextWith('FROM busybox\n');
    expect(await cli(store, { context: ctx, push: true })).toEqual({
      code: 2,
      stdout: '',
      stderr: 'ERROR: tag is needed when pushing to registry\n',
    });
    expect(await cli(store, { context: ctx, outputs: ['type=registry'] })).toMatchObject({ code: 2 });
  });
});
