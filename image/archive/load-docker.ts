import { Readable } from 'node:stream';
import type { Digest } from '../digest.js';
import { type Compression, detectCompression } from '../layer/decompress.js';
import { OciMediaType } from '../media-types.js';
import type { Descriptor, ImageConfig } from '../oci-types.js';
import { normalizeReference } from '../reference.js';
import type { Store } from '../store/store.js';
import { type ArchiveContents, ArchiveError, archiveBlob, type LoadedImage } from './archive-contents.js';
import { uncompressedLayerInfo } from './layer-blob.js';
import type { DockerArchiveManifest } from './save-docker-archive.js';

const layerMediaType: Record<Compression, string> = {
  none: OciMediaType.layer,
  gzip: OciMediaType.layerGzip,
  zstd: OciMediaType.layerZstd,
};

async function blobHead(store: Store, digest: Digest): Promise<Buffer> {
  const stream = store.openBlob(digest);
  for await (const chunk of Readable.from(stream)) {
    stream.destroy();
    return (chunk as Buffer).subarray(0, 4);
  }
  return Buffer.alloc(0);
}

/**
 * Builds store images from a docker-archive's `manifest.json`. Each layer's uncompressed digest is checked
 * against the config's `diff_ids`, so a tampered layer is rejected; the config bytes are kept exactly (the
 * image ID stays the same).
 */
export async function loadDockerImages(store: Store, contents: ArchiveContents): Promise<LoadedImage[]> {
  let entries: DockerArchiveManifest[];
  try {
    entries = JSON.parse(contents.json.get('manifest.json')!.toString('utf8'));
  } catch {
    throw new ArchiveError('manifest.json is not valid JSON');
  }
  if (!Array.isArray(entries)) throw new ArchiveError('manifest.json is not a list');
  const loaded: LoadedImage[] = [];
  for (const entry of entries) {
    const inline = contents.json.get(entry.Config);
    const configInfo = inline ? await store.putBlob(inline) : archiveBlob(contents, entry.Config);
    const config = JSON.parse((inline ?? (await store.readBlob(configInfo.digest))).toString('utf8')) as ImageConfig;
    const diffIds = config.rootfs?.diff_ids ?? [];
    if (diffIds.length !== entry.Layers.length) {
      throw new ArchiveError(`${entry.Config}: ${entry.Layers.length} layers but ${diffIds.length} diff_ids`);
    }
    const layers: Descriptor[] = [];
    for (const [i, layerPath] of entry.Layers.entries()) {
      const blob = archiveBlob(contents, layerPath);
      const compression = detectCompression(await blobHead(store, blob.digest));
      const descriptor: Descriptor = { mediaType: layerMediaType[compression], digest: blob.digest, size: blob.size };
      const { diffId } = await uncompressedLayerInfo(store, descriptor);
      if (diffId !== diffIds[i]) {
        throw new ArchiveError(`layer ${layerPath} does not match its diff_id: expected ${diffIds[i]}, got ${diffId}`);
      }
      layers.push(descriptor);
    }
    const manifest = await store.putManifest({
      schemaVersion: 2,
      mediaType: OciMediaType.manifest,
      config: { mediaType: OciMediaType.config, digest: configInfo.digest, size: configInfo.size },
      layers,
    });
    const refs = (entry.RepoTags ?? []).map((tag) => normalizeReference(tag));
    for (const ref of refs) await store.tag(ref, manifest.digest);
    loaded.push({ manifestDigest: manifest.digest, refs });
  }
  return loaded;
}
