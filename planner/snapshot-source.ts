// The build context as a ContextSource: one COPY/ADD source at a time through cache/'s
// `selectSources` over a context snapshot (BuildKit's selection rules and content checksums).

import { type ContextSnapshot, selectSources } from '../cache/index.js';
import type { ContextSource, SelectedFile, SourceChecksum, SourceSelectionOptions } from './types.js';

export function snapshotSource(snapshot: ContextSnapshot): ContextSource {
  return {
    async checksum(source: string, options: SourceSelectionOptions): Promise<SourceChecksum> {
      const result = await selectSources(snapshot, [source], { excludes: options.excludes, parents: options.parents });
      const match = result.matches[0];
      if (result.errors.length > 0 || match === undefined) {
        // `"/x": not found` → `/x`
        const missing = /^"(.*)": not found$/.exec(result.errors[0] ?? '')?.[1] ?? source;
        return { ok: false, missing };
      }
      // Every selected entry but directories, with its digest.
      const files: SelectedFile[] = await snapshot.fileDigests(match.entries);
      return { ok: true, digest: match.digest, files };
    },
  };
}
