// Base images read from a real local image store: digest pinning, config, ONBUILD triggers.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OciMediaType, Store } from '../../image/index.js';
import { storeResolver } from '../../planner/index.js';

let root: string;
let store: Store;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'tsbuild-planner-store-'));
  store = await Store.open(root);
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function addImage(ref: string, config: object, layers: string[]): Promise<string> {
  const configDescriptor = await store.putConfig({
    architecture: 'amd64',
    os: 'linux',
    config,
    rootfs: { type: 'layers', diff_ids: layers },
  } as Parameters<Store['putConfig']>[0]);
  const manifest = await store.putManifest({
    schemaVersion: 2,
    mediaType: OciMediaType.manifest,
    config: configDescriptor,
    layers: [],
  } as Parameters<Store['putManifest']>[0]);
  await store.tag(ref, manifest.digest);
  return manifest.digest;
}

describe('storeResolver', () => {
  it('resolves a tagged image to its manifest digest and config', async () => {
    const layer = `sha256:${'a'.repeat(64)}`;
    const digest = await addImage('busybox', { Env: ['PATH=/bin'], OnBuild: ['RUN x'] }, [layer]);
    const resolved = await storeResolver(store).resolve('docker.io/library/busybox:latest', {
      os: 'linux',
      architecture: 'amd64',
    });
    expect(resolved).toEqual({
      ref: 'docker.io/library/busybox:latest',
      digest,
      platform: { os: 'linux', architecture: 'amd64' },
      config: { Env: ['PATH=/bin'], OnBuild: ['RUN x'] },
      empty: false,
    });
  });

  it('an image that is not in the store resolves to null', async () => {
    expect(
      await storeResolver(store).resolve('docker.io/library/nope:latest', { os: 'linux', architecture: 'amd64' }),
    ).toBeNull();
  });

  it('does not take a single-platform image of another platform (an amd64 image for linux/arm64)', async () => {
    await addImage('busybox', {}, []);
    const resolver = storeResolver(store);
    expect(await resolver.resolve('busybox', { os: 'linux', architecture: 'arm64' })).toBeNull();
    expect(await resolver.resolve('busybox', { os: 'windows', architecture: 'amd64' })).toBeNull();
    expect(await resolver.resolve('busybox', { os: 'linux', architecture: 'amd64', variant: 'v2' })).not.toBeNull();
  });
});
