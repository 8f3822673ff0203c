import type { Writable } from 'node:stream';
import { type Digest, digestHex, sha256Digest } from '../digest.js';
import type { TarEntry } from '../layer/tar-entry.js';
import { familiarName, parseDockerRef } from '../reference.js';
import type { Store } from '../store/store.js';
import { uncompressedLayer, uncompressedLayerInfo } from './layer-blob.js';
import { archiveMeta, dirEntry, jsonEntry, writeTarTo } from './write-tar-file.js';

/** One entry of a docker-archive `manifest.json`. */
export interface DockerArchiveManifest {
  Config: string;
  RepoTags: string[] | null;
  Layers: string[];
}

/**
 * `docker save`: the classic archive `docker load` and `skopeo docker-archive:` read — `manifest.json`,
 * `<config hex>.json`, one `<v1 id>/layer.tar` (uncompressed) per layer with its legacy `VERSION` and `json`,
 * and `repositories`. `refs` are tags or digests in the store; tags become `RepoTags`.
 */
export async function saveDockerArchive(
  store: Store,
  refs: readonly string[],
  target: string | Writable,
): Promise<void> {
  await writeTarTo(dockerArchiveEntries(store, refs), target);
}

async function* dockerArchiveEntries(store: Store, refs: readonly string[]): AsyncGenerator<TarEntry> {
  const manifests: DockerArchiveManifest[] = [];
  const repositories: Record<string, Record<string, string>> = {};
  const written = new Set<string>();
  const byConfig = new Map<Digest, DockerArchiveManifest>();

  for (const ref of refs) {
    const image = await store.resolve(ref);
    const parsed = /^sha256:/.test(ref) ? undefined : parseDockerRef(ref);
    const repoTag = parsed?.tag !== undefined ? `${familiarName(parsed)}:${parsed.tag}` : undefined;
    const configFile = `${digestHex(image.configDigest)}.json`;
    const existing = byConfig.get(image.configDigest);
    if (existing) {
      if (repoTag) existing.RepoTags = [...(existing.RepoTags ?? []), repoTag];
      continue;
    }

    let parent: string | undefined;
    const layerPaths: string[] = [];
    for (const [i, layer] of image.manifest.layers.entries()) {
      const diffId = image.config.rootfs.diff_ids[i];
      if (diffId === undefined) throw new Error(`${ref}: config has fewer diff_ids than the manifest has layers`);
      // v1 ids chain the diff_ids, so a layer shared at the same position shares its directory.
      const v1Id = digestHex(sha256Digest(`${parent ?? ''}\n${diffId}`));
      layerPaths.push(`${v1Id}/layer.tar`);
      if (!written.has(v1Id)) {
        written.add(v1Id);
        const { size } = await uncompressedLayerInfo(store, layer);
        yield dirEntry(v1Id);
        yield { ...archiveMeta, path: `${v1Id}/VERSION`, type: 'file', mode: 0o644, content: Buffer.from('1.0') };
        yield jsonEntry(`${v1Id}/json`, { id: v1Id, ...(parent !== undefined && { parent }) });
        yield {
          ...archiveMeta,
          path: `${v1Id}/layer.tar`,
          type: 'file',
          mode: 0o644,
          size,
          content: () => uncompressedLayer(store, layer),
        };
      }
      parent = v1Id;
    }
    yield {
      ...archiveMeta,
      path: configFile,
      type: 'file',
      mode: 0o644,
      content: await store.readBlob(image.configDigest),
    };
    const entry: DockerArchiveManifest = {
      Config: configFile,
      RepoTags: repoTag ? [repoTag] : null,
      Layers: layerPaths,
    };
    byConfig.set(image.configDigest, entry);
    manifests.push(entry);
    if (repoTag && parsed && parent !== undefined) {
      const repo = familiarName(parsed);
      repositories[repo] = { ...repositories[repo], [parsed.tag!]: parent };
    }
  }
  yield jsonEntry('manifest.json', manifests);
  yield jsonEntry('repositories', repositories);
}
