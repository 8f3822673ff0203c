import { readFileSync } from 'node:fs';
import { encodeIndex } from '../canonical-json.js';
import { OciMediaType } from '../media-types.js';
import type { ImageIndex } from '../oci-types.js';
import { writeFileAtomic } from './atomic-file.js';

/** An empty OCI index. */
export function emptyIndex(): ImageIndex {
  return { schemaVersion: 2, mediaType: OciMediaType.index, manifests: [] };
}

/**
 * Reads `index.json`; a missing file is an empty index. Synchronously: a few KiB in the page cache, where an
 * asynchronous read is four round trips through libuv's pool, each a wait behind the build's fsyncs there.
 */
export async function readIndexFile(file: string): Promise<ImageIndex> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyIndex();
    throw error;
  }
  const parsed = JSON.parse(text) as ImageIndex;
  if (parsed.schemaVersion !== 2 || !Array.isArray(parsed.manifests)) {
    throw new Error(`${file}: not an OCI image index`);
  }
  return parsed;
}

/**
 * Replaces `index.json` atomically (callers hold the index lock), renamed once `beforeRename` resolves: the manifests
 * it names are durable then.
 */
export async function writeIndexFile(file: string, index: ImageIndex, beforeRename?: Promise<void>): Promise<void> {
  await writeFileAtomic(file, encodeIndex(index).bytes, 0o644, beforeRename === undefined ? {} : { beforeRename });
}
