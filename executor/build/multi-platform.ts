// `--platform a,b…`, buildx's multi-platform build: the Dockerfile is built once for each platform, one after the
// other (a stage that does not depend on the target, such as `FROM --platform=$BUILDPLATFORM`, is a cache hit after
// the first), with BuildKit's platform-prefixed step names, and the images go into one OCI image index: what the tags
// name, `--push` sends, and whose digest is the build's id; `--cache-to` exports every platform's records at once.
// As BuildKit shows it, one `exporting to image` step lists every platform's manifest and config, then the index.
// Each platform's RUN steps need that platform's programs to run here (natively, or through binfmt_misc emulation),
// as with a single `--platform`.
import {
  configPlatform,
  type Descriptor,
  type Digest,
  type ImageIndex,
  OciMediaType,
  type Platform,
} from '../../image/index.js';
import { formatPlatform } from '../../planner/index.js';
import { type CacheExportScope, exportCache, parseCacheSpec } from '../cache-transfer/index.js';
import { indexAnnotations, parseAnnotations } from './annotations.js';
import { build } from './build.js';
import type { BuildOptions, BuildResult } from './build-options.js';

/** Builds `options` for every platform and names the index of their images as `options.tags` says. */
export async function buildPlatforms(options: BuildOptions, platforms: readonly Platform[]): Promise<BuildResult> {
  const { store, progress } = options;
  const manifests: Descriptor[] = [];
  const results: BuildResult[] = [];
  const warned = new Set<string>();
  // One cache export for all platforms, after the last: each build's own would replace the one before.
  const cacheTo = options.cacheTo ?? [];
  const scopes: CacheExportScope[] = [];
  for (const [i, platform] of platforms.entries()) {
    const result = await build({
      ...options,
      platform,
      multiPlatform: true,
      ...(cacheTo.length === 0 ? {} : { exportCacheLater: true }),
      tags: [],
      keepUntagged: false,
      hideExportStep: true,
      // The Dockerfile, its context and its checks are the same for every platform: shown and reported once.
      ...(i === 0 ? {} : { hideLoadSteps: true }),
      ...(i === 0 || options.onPlanned === undefined ? {} : { onPlanned: () => {} }),
      onWarning: (d) => {
        if (warned.has(d.message)) return;
        warned.add(d.message);
        options.onWarning?.(d);
      },
    });
    results.push(result);
    if (result.cacheScope !== undefined) scopes.push(result.cacheScope);
    manifests.push({
      ...(await store.manifestDescriptor(result.manifestDigest)),
      platform: configPlatform(result.config),
    });
  }
  const annotations = indexAnnotations(parseAnnotations(options.annotations ?? []));
  const index: ImageIndex = {
    schemaVersion: 2,
    mediaType: OciMediaType.index,
    manifests,
    ...(Object.keys(annotations).length === 0 ? {} : { annotations }),
  };
  const exporting = progress.step('exporting to image');
  for (const result of results) {
    exporting.note(`exporting manifest ${result.manifestDigest} done`);
    exporting.note(`exporting config ${result.imageId} done`);
  }
  const stored = await store.putManifest(index);
  const tags = options.tags ?? [];
  for (const tag of tags) await store.tag(tag, stored.digest);
  if (tags.length === 0 && options.keepUntagged !== false) await store.keepDangling(stored);
  exporting.note(`exporting manifest list ${stored.digest} done`);
  for (const tag of tags) exporting.note(`naming to ${tag} done`);
  exporting.done();
  const specs = cacheTo.map((value) => parseCacheSpec(value, 'to'));
  if (scopes.length > 0 && specs.some((spec) => spec.type !== 'inline')) {
    await exportCache(store, specs, mergedScope(scopes, stored.digest), progress);
  }
  // The index is the image: its digest is the id, as buildx gives it; each platform's filesystem goes with it (a
  // local output splits them), the first platform's filesystem and config stand for it where one is needed.
  const first = results[0] as BuildResult;
  const each = results.map((result, i) => ({ platform: platforms[i] as Platform, fs: result.fs }));
  return { ...first, imageId: stored.digest, manifestDigest: stored.digest, tags, platforms: each };
}

/** What the export of every platform's build covers: their step keys and image records together. */
function mergedScope(scopes: readonly CacheExportScope[], index: Digest): CacheExportScope {
  return {
    minKeys: scopes.flatMap((s) => s.minKeys),
    maxKeys: scopes.flatMap((s) => s.maxKeys),
    manifest: index,
    imageKeys: scopes.flatMap((s) => s.imageKeys),
    completions: new Map(scopes.flatMap((s) => [...s.completions])),
  };
}

/** Why these options cannot build several platforms at once (undefined: they can). */
export function multiPlatformRefusal(options: {
  readonly outputs: readonly { readonly type: string }[];
  readonly call: string;
  readonly platforms: readonly Platform[];
}): string | undefined {
  const list = options.platforms.map(formatPlatform).join(',');
  // The image index goes to the store, a registry or an OCI layout, the files to a directory per platform
  // (export-platforms.ts); a docker-archive holds one image.
  const output = options.outputs.find((o) => o.type === 'docker');
  if (output !== undefined) {
    return `--platform ${list}: an output of type=${output.type} for several platforms is not supported (the images go into one image index: name it with -t, send it with --push, or write it with type=oci)`;
  }
  if (options.call !== 'build') return `--platform ${list}: --call=${options.call} takes one platform`;
  return undefined;
}
