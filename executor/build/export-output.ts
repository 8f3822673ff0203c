// One `--output` of a finished build: the target stage's filesystem (local, tar) or its image (oci,
// docker, image).
import type { Store } from '../../image/index.js';
import type { BuildResult, RewriteTimestampOption } from './build-options.js';
import { exportFilesystem, type OutputSpec } from './export.js';
import { exportImage } from './export-image.js';
import { exportPlatformsFilesystem } from './export-platforms.js';

export async function exportOutput(store: Store, result: BuildResult, output: OutputSpec): Promise<void> {
  if (output.type === 'cacheonly') return;
  if (output.type !== 'local' && output.type !== 'tar') {
    await exportImage(store, { manifestDigest: result.manifestDigest, tags: result.tags }, output);
  } else if (result.platforms !== undefined) await exportPlatformsFilesystem(store, result.platforms, output);
  else await exportFilesystem(store, result.fs, output);
}

/**
 * The first output asking for `rewrite-timestamp=true`, as the build's option (the build applies it
 * before anything is tagged); `epoch` is its `source-date-epoch=` when given.
 */
export function wantsRewriteTimestamp(outputs: readonly OutputSpec[]): RewriteTimestampOption | undefined {
  for (const o of outputs) {
    if (!('rewriteTimestamp' in o) || !o.rewriteTimestamp) continue;
    return o.sourceDateEpoch === undefined ? {} : { epoch: o.sourceDateEpoch };
  }
  return undefined;
}
