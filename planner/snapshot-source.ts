// The build context as a ContextSource: one COPY/ADD source at a time through cache/'s
// `selectSources` over a context snapshot (BuildKit's selection rules and content checksums).
// A plain source (no wildcard, --exclude or --parents), the `COPY . /app` of a large context, is only
// resolved and checksummed: its entries are listed when someone asks for the files (SelectedFiles).

import {
  type ContextSnapshot,
  cleanPath,
  containsWildcards,
  resolveInSnapshot,
  selectSources,
} from '../cache/index.js';
import type { ContextSource, SelectedFile, SourceChecksum, SourceSelectionOptions } from './build-sources.js';

export function snapshotSource(snapshot: ContextSnapshot): ContextSource {
  return {
    async checksum(source: string, options: SourceSelectionOptions): Promise<SourceChecksum> {
      const files = lazyFiles(snapshot, source, options);
      const plain = plainSelector(source, options);
      if (plain !== null) {
        // selectSources' rule for such a selector: resolved inside the context, the content digest of what it names.
        const rel = resolveInSnapshot(snapshot, plain, true);
        if (rel === undefined) return { ok: false, missing: plain };
        return { ok: true, digest: await snapshot.contentDigest(rel), files };
      }
      const result = await selectSources(snapshot, [source], { excludes: options.excludes, parents: options.parents });
      const match = result.matches[0];
      if (result.errors.length > 0 || match === undefined) {
        // `"/x": not found` → `/x`
        const missing = /^"(.*)": not found$/.exec(result.errors[0] ?? '')?.[1] ?? source;
        return { ok: false, missing };
      }
      return { ok: true, digest: match.digest, files };
    },
  };
}

/**
 * A context snapshotted only when the plan first reads it: a `--build-context NAME=DIR` the Dockerfile never names
 * is never walked (BuildKit transfers only the contexts a build uses).
 */
export function lazySnapshotSource(load: () => Promise<ContextSnapshot>): ContextSource {
  let source: Promise<ContextSource> | undefined;
  return {
    async checksum(selector: string, options: SourceSelectionOptions): Promise<SourceChecksum> {
      source ??= load().then(snapshotSource);
      return (await source).checksum(selector, options);
    },
  };
}

/** The rooted clean path of a source that selects without filtering, else null (selectSources' `toSelector`). */
function plainSelector(source: string, options: SourceSelectionOptions): string | null {
  if (options.parents || options.excludes.length > 0) return null;
  const rooted = cleanPath(`/${source}`);
  return containsWildcards(rooted) ? null : rooted;
}

/** Every selected entry but directories, with its digest; selected and listed once, when first asked. */
function lazyFiles(snapshot: ContextSnapshot, source: string, options: SourceSelectionOptions) {
  let listed: Promise<readonly SelectedFile[]> | undefined;
  return (): Promise<readonly SelectedFile[]> => {
    listed ??= selectSources(snapshot, [source], { excludes: options.excludes, parents: options.parents }).then(
      (result) => snapshot.fileDigests(result.matches[0]?.entries ?? []),
    );
    return listed;
  };
}
