import { createReadStream } from 'node:fs';
import type { Digest } from '../digest.js';
import { decompressedStream } from '../layer/decompress.js';
import { cleanLayerPath } from '../layer/safe-path.js';
import { readTar } from '../layer/tar-reader.js';
import type { Store } from '../store/store.js';
import { type ArchiveContents, ArchiveError, type LoadedImage } from './archive-contents.js';
import { loadDockerImages } from './load-docker.js';
import { loadOciImages } from './load-oci.js';

const metadataLimit = 16 * 1024 * 1024;
const isMetadata = (name: string) =>
  name === 'manifest.json' ||
  name === 'repositories' ||
  name === 'index.json' ||
  name === 'oci-layout' ||
  (name.endsWith('.json') && !name.startsWith('blobs/')) ||
  name.endsWith('/json') ||
  name.endsWith('/VERSION');

/**
 * Reads an archive in one streaming pass: metadata files are kept in memory, everything else is streamed into
 * the store as a blob (a `blobs/sha256/<hex>` file is verified against its name). Archive paths are never used
 * as file system paths.
 */
async function scanArchive(store: Store, source: AsyncIterable<Uint8Array>): Promise<ArchiveContents> {
  const contents: ArchiveContents = { json: new Map(), blobs: new Map() };
  for await (const entry of readTar(source)) {
    if (entry.header.type !== 'file') continue;
    const name = cleanLayerPath(entry.header.path);
    if (isMetadata(name) && entry.header.size <= metadataLimit) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry.body()) chunks.push(chunk);
      contents.json.set(name, Buffer.concat(chunks));
      continue;
    }
    const named = /^blobs\/sha256\/([a-f0-9]{64})$/.exec(name);
    const expected = named ? (`sha256:${named[1]}` as Digest) : undefined;
    const info = await store.putBlob(entry.body(), { ...(expected && { digest: expected }), size: entry.header.size });
    contents.blobs.set(name, info);
  }
  return contents;
}

/**
 * `docker load`: reads a docker-archive (`manifest.json` + `repositories`, classic or Docker 25 layout) or an OCI
 * archive (`oci-layout` + `index.json`), plain or compressed, from a file, bytes or a stream, stores its images
 * and applies their tags. `name` tags an OCI image whose annotations carry only a tag (or nothing).
 */
export async function loadArchive(
  store: Store,
  archive: string | Uint8Array | AsyncIterable<Uint8Array>,
  options: { name?: string } = {},
): Promise<LoadedImage[]> {
  const input = typeof archive === 'string' ? createReadStream(archive) : archive;
  const contents = await scanArchive(store, await decompressedStream(input));
  if (contents.json.has('manifest.json') && !contents.json.has('index.json')) return loadDockerImages(store, contents);
  if (contents.json.has('oci-layout') && contents.json.has('index.json'))
    return loadOciImages(store, contents, options.name);
  if (contents.json.has('repositories')) {
    throw new ArchiveError('legacy archives without manifest.json (Docker < 1.10) are not supported');
  }
  throw new ArchiveError('not a docker-archive or OCI archive: no manifest.json or oci-layout + index.json');
}
