// FROM an image the store lacks: the base-image resolver pulls it (the same pullImage as `tsbuild pull`,
// for the build's platform) before the planner reads its config, so the manifest digest pins the cache
// keys exactly as for an image that was already there. `--pull` (policy `always`) re-resolves every tag
// against its registry; the local blobs are reused when the registry's digests match.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import {
  formatPlatform,
  type ImageReference,
  parseDockerRef,
  pullImage,
  RegistryClient,
  type Store,
} from '../../image/index.js';
import { type BaseImageResolver, type Platform, storeResolver } from '../../planner/index.js';
import { BuildError } from './errors.js';
import type { Progress } from './progress.js';
import { recordPullFailure } from './store-images.js';

/** `missing`: pull what the store lacks (the default); `always`: `--pull`; `never`: the store only. */
export type PullPolicy = 'missing' | 'always' | 'never';

export interface PullingResolverOptions {
  readonly store: Store;
  readonly policy: PullPolicy;
  readonly progress: Progress;
  /** The registry client, made on first use (a build whose bases are all local opens no connection). */
  readonly client: () => RegistryClient;
}

export function pullingResolver(options: PullingResolverOptions): BaseImageResolver {
  const local = storeResolver(options.store);
  // Two stages FROM the same image pull it once.
  const pulls = new Map<string, Promise<boolean>>();
  return {
    async resolve(ref: string, platform: Platform) {
      const parsed = parseDockerRef(ref);
      // A digest names content: a stored copy is that content, even under --pull.
      if (options.policy !== 'always' || parsed.digest !== undefined) {
        const found = await local.resolve(ref, platform);
        if (found !== null || options.policy === 'never') return found;
      }
      const key = `${ref} ${formatPlatform(platform)}`;
      let pending = pulls.get(key);
      if (pending === undefined) {
        pending = pullBase(options, ref, parsed, platform);
        pulls.set(key, pending);
      }
      // A failed pull resolves to null, as a missing image did before: the step that needs the image fails
      // with the store's message, the reason of the pull and its own Dockerfile line.
      if (!(await pending)) return null;
      return local.resolve(ref, platform);
    },
  };
}

async function pullBase(
  options: PullingResolverOptions,
  ref: string,
  parsed: ImageReference,
  platform: Platform,
): Promise<boolean> {
  const { store, progress } = options;
  const step = progress.step(`[internal] load metadata for ${ref}`);
  // Named like `tsbuild pull`'s transfer directories, so `prune` removes one a killed build left behind.
  await mkdir(path.join(store.root, 'tmp'), { recursive: true });
  const tmpDir = await mkdtemp(path.join(store.root, 'tmp', `pull-${process.pid}-`));
  try {
    const pulled = await pullImage(options.client(), store, parsed, {
      platform,
      tmpDir,
      onLayerStored: (layer) => step.note(`${layer.digest} ${layer.size} bytes done`),
    });
    step.note(`resolve ${parsed.domain}/${parsed.path}@${pulled.digest} done`);
    step.done();
    return true;
  } catch (error) {
    const reason = (error as Error).message;
    step.error(reason);
    // `--pull` with the image stored: the registry said no, and Docker fails the build rather than use it.
    if (options.policy === 'always' && (await storeResolver(store).resolve(ref, platform)) !== null) {
      throw new BuildError(`failed to resolve source metadata for ${ref}: ${reason}`);
    }
    recordPullFailure(store, ref, reason);
    return false;
  } finally {
    await rm(tmpDir, { recursive: true, force: true });
  }
}

/** A registry client made on first use and closed by `close()` only if it was made here. */
export function lazyRegistryClient(given?: RegistryClient): { get(): RegistryClient; close(): void } {
  let made: RegistryClient | undefined;
  return {
    get: () => {
      if (given !== undefined) return given;
      made ??= new RegistryClient();
      return made;
    },
    close: () => made?.close(),
  };
}
