// The base images of a build (store-images.ts `baseImageResolver`): a stored image is answered from the store
// without the pulling resolver; an image the store lacks goes to it (a pull, which fails here without a
// registry: `null`, the step that needs it reports why); `never` does not pull.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Progress } from '../../executor/build/progress.js';
import type { PullPolicy } from '../../executor/build/pull-base.js';
import { baseImageResolver, storedBase } from '../../executor/build/store-images.js';
import { type Descriptor, hostPlatform, type RegistryClient, Store } from '../../image/index.js';
import { storeOneLayerImage } from '../image/one-layer-image.js';

let dir: string;
let store: Store;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tsbuild-base-resolver-'));
  store = await Store.open(dir);
  await store.tagManifest('base', await storeImage('layer', 'A=1'));
});

const storeImage = (content: string, env: string) => storeOneLayerImage(store, content, [env]);
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A progress display that keeps the names of the steps started. */
function recordingProgress(steps: string[]): Progress {
  return {
    step: (name) => {
      steps.push(name);
      return { output() {}, note() {}, cached() {}, done() {}, error() {} };
    },
  };
}

// No registry is reachable through it: every pull fails.
const unreachable = {
  close() {},
} as unknown as RegistryClient;

function resolverFor(policy: PullPolicy, steps: string[]) {
  return baseImageResolver({ store, policy, progress: recordingProgress(steps), registryClient: unreachable });
}

const platform = { os: 'linux', architecture: 'amd64' };

describe('baseImageResolver', () => {
  it('answers a stored image from the store, pulling nothing', async () => {
    const steps: string[] = [];
    const images = resolverFor('missing', steps);
    const found = await images.resolver.resolve('base', platform);
    await images.close();
    expect(found?.config).toEqual({ Env: ['A=1'] });
    expect(found?.platform).toEqual(platform);
    expect(steps).toEqual([]);
  });

  it('pulls an image the store lacks (here the pull fails: null)', async () => {
    const steps: string[] = [];
    const images = resolverFor('missing', steps);
    expect(await images.resolver.resolve('localhost:1/absent:1', platform)).toBeNull();
    await images.close();
    expect(steps).toEqual(['[internal] load metadata for localhost:1/absent:1']);
  });

  it('never pulls with policy never', async () => {
    const steps: string[] = [];
    const images = resolverFor('never', steps);
    expect(await images.resolver.resolve('localhost:1/absent:1', platform)).toBeNull();
    expect(await images.resolver.resolve('base', platform)).not.toBeNull();
    await images.close();
    expect(steps).toEqual([]);
  });

  it('re-resolves a stored tag against its registry with policy always', async () => {
    const steps: string[] = [];
    const images = resolverFor('always', steps);
    // The registry cannot be asked, and Docker then fails the build rather than use the stored image.
    await expect(images.resolver.resolve('base', platform)).rejects.toThrow(
      'failed to resolve source metadata for base',
    );
    await images.close();
    expect(steps).toEqual(['[internal] load metadata for base']);
  });

  it('gives the stages the image it resolved, even when the tag has moved since', async () => {
    const images = resolverFor('missing', []);
    const planned = await images.resolver.resolve('base', hostPlatform());
    await images.close();
    const moved = await storeImage('other layer', 'A=2');
    await store.tagManifest('base', moved);
    const stored = await storedBase(store, 'docker.io/library/base:latest', hostPlatform(), images.resolved);
    const manifest = JSON.parse((await store.readBlob(planned?.digest as Descriptor['digest'])).toString('utf8'));
    expect(stored.fs.layers.map((l) => l.digest)).toEqual([manifest.layers[0].digest]);
    // Without what was planned, the reference resolves again: to where the tag points now.
    const again = await storedBase(store, 'base', hostPlatform());
    const movedManifest = JSON.parse((await store.readBlob(moved.digest)).toString('utf8'));
    expect(again.fs.layers.map((l) => l.digest)).toEqual([movedManifest.layers[0].digest]);
  });

  it('does not take a single-platform image of another platform for a stage of this one', async () => {
    const images = resolverFor('never', []);
    const other = { os: 'linux', architecture: hostPlatform().architecture === 'arm64' ? 'amd64' : 'arm64' };
    expect(await images.resolver.resolve('base', other)).toBeNull();
    await images.close();
    await expect(storedBase(store, 'base', other)).rejects.toThrow(
      `image base:latest is not in the local store for linux/${other.architecture}: import a root filesystem`,
    );
  });
});
