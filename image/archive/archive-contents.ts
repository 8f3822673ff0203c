import type { Digest } from '../digest.js';
import { cleanLayerPath } from '../layer/safe-path.js';

/** Raised for archives that are neither a docker-archive nor an OCI layout, or are inconsistent. */
export class ArchiveError extends Error {
  readonly code = 'EARCHIVE';
}

/** An image found in an archive and stored. */
export interface LoadedImage {
  manifestDigest: Digest;
  /** Normalised tags applied in the store (empty for an untagged image). */
  refs: string[];
}

/** The archive's small metadata files in memory and every other file as a store blob. */
export interface ArchiveContents {
  json: Map<string, Buffer>;
  blobs: Map<string, { digest: Digest; size: number }>;
}

/** The blob a path of the archive was stored as. */
export function archiveBlob(contents: ArchiveContents, name: string): { digest: Digest; size: number } {
  const blob = contents.blobs.get(cleanLayerPath(name));
  if (blob === undefined) throw new ArchiveError(`archive is missing ${name}`);
  return blob;
}
