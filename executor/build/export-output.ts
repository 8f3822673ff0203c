// One `--output` of a finished build: the target stage's filesystem (local, tar) or its image (oci,
// docker, image).
import path from 'node:path';
import { formatPlatform, type Store } from '../../image/index.js';
import type { BuildResult, RewriteTimestampOption } from './build-options.js';
import { exportFilesystem, type OutputSpec } from './export.js';
import { exportImage } from './export-image.js';

export async function exportOutput(store: Store, result: BuildResult, output: OutputSpec): Promise<void> {
  if (output.type === 'cacheonly') return;
  if (output.type === 'local' && result.platforms !== undefined) {
    // Several platforms: each one's files in a directory named after it (`linux_arm64`), as buildx splits them.
    for (const { platform, fs } of result.platforms) {
      const dest = path.join(output.dest, formatPlatform(platform).replaceAll('/', '_'));
      await exportFilesystem(store, fs, { ...output, dest });
    }
  } else if (output.type === 'local' || output.type === 'tar') await exportFilesystem(store, result.fs, output);
  else await exportImage(store, { manifestDigest: result.manifestDigest, tags: result.tags }, output);
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
