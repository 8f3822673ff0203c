// Set-up of the `tsbuild run` tests: a private store under .tsbuild-test/ (overlayfs accepts the
// repo's filesystem as upper) holding the busybox fixture as `busybox:latest` with the official
// image's config, and variants of it with another runtime config.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { type ContainerConfig, type ImageConfig, type ImageManifest, importRootfs, Store } from '../../image/index.js';
import { busyboxRootfs, testRoot } from './helpers.js';

export const busyboxPathEnv = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** A fresh directory with a short name (overlay option strings are page-limited). */
export async function containerTestDir(prefix: string): Promise<string> {
  const dir = path.join(testRoot, 'ctr', `${prefix}${randomBytes(3).toString('hex')}`);
  await mkdir(dir, { recursive: true });
  return dir;
}

export async function removeTestDir(dir: string | undefined): Promise<void> {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
}

export async function storeWithBusybox(): Promise<Store> {
  const store = await Store.open(await containerTestDir('s'));
  const tar = spawn('tar', ['-C', await busyboxRootfs(), '--numeric-owner', '-cf', '-', '.'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await importRootfs(store, tar.stdout, 'busybox:latest', {
    created: '2024-01-01T00:00:00Z',
    config: { Env: [busyboxPathEnv], Cmd: ['sh'] },
  });
  return store;
}

/** Tags `name` as the busybox image with its runtime config replaced by `config`. */
export async function tagVariant(store: Store, name: string, config: ContainerConfig): Promise<void> {
  const base = await store.resolve('busybox');
  const image: ImageConfig = { ...base.config, config };
  const manifest: ImageManifest = { ...base.manifest, config: await store.putConfig(image) };
  await store.tag(name, (await store.putManifest(manifest)).digest);
}
