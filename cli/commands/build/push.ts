// `--push` and the pushing `--output`s of `tsbuild build`: which names to push (checked before the build
// starts, so a push without a name fails in a second, not after the build), and the push itself.
import {
  asStoreOutput,
  type Progress,
  parsePushOutput,
  pushBuiltImage,
  pushNames,
  type RegistryPushSpec,
} from '../../../executor/index.js';
import { type Descriptor, type Digest, RegistryClient, type Store } from '../../../image/index.js';

export { asStoreOutput };

/** Full names to push to, in order, without repeats; throws BuildKit's error when a push has no name. */
export function pushTargets(push: boolean, outputs: readonly string[], tags: readonly string[]): string[] {
  const specs: RegistryPushSpec[] = [
    ...(push ? [{ names: [] }] : []),
    ...outputs.flatMap((o) => parsePushOutput(o) ?? []),
  ];
  return [...new Set(specs.flatMap((spec) => pushNames(spec, tags)))];
}

/** Pushes the image to each name; the descriptor of the manifest the registries hold, when it pushed. */
export async function pushToRegistries(
  store: Store,
  manifestDigest: Digest,
  names: readonly string[],
  progress: Progress,
  env: Readonly<Record<string, string | undefined>>,
): Promise<Descriptor | undefined> {
  if (names.length === 0) return undefined;
  const client = new RegistryClient({ dockerConfig: { env: env as NodeJS.ProcessEnv } });
  try {
    return await pushBuiltImage(store, client, manifestDigest, names, progress);
  } finally {
    client.close();
  }
}
