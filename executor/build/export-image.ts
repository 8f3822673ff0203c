// Image exporters of `--output`, as BuildKit names them:
// - `type=oci,dest=FILE|-|DIR[,tar=false][,name=A,B]`: an OCI image layout (`oci-layout`, `index.json`,
//   `blobs/sha256/…`), as a tar or (tar=false) a directory; each name gets its own index.json entry
//   with the same descriptor, annotated `io.containerd.image.name` (full name) and
//   `org.opencontainers.image.ref.name` (the tag);
// - `type=docker,dest=FILE|-[,name=…]`: a docker-archive (`docker load`), names as RepoTags;
// - `type=image[,name=…]`: the local store, which every build writes to anyway (names are tags).
// `rewrite-timestamp=true` is honoured by the build itself (see rewrite-timestamp.ts), so every
// exporter, the store included, sees the same rewritten image.
import { createWriteStream } from 'node:fs';
import { mkdir, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  Annotation,
  configPlatform,
  type Descriptor,
  type Digest,
  digestHex,
  type ImageConfig,
  type ImageIndex,
  type ImageManifest,
  OciMediaType,
  parseNormalizedNamed,
  referenceString,
  type Store,
  saveDockerArchive,
  type TarEntry,
  tarChunks,
  tempPathFor,
} from '../../image/index.js';
import { stdoutSink } from './stdout-sink.js';

export interface ImageOutputSpec {
  readonly type: 'oci' | 'docker' | 'image';
  /** A file, `-` for stdout, or (oci with tar=false) a directory; empty for `type=image`. */
  readonly dest: string;
  readonly tar: boolean;
  /** `name=` values, normalised (`docker.io/org/repo:tag`); empty: the build's tags. */
  readonly names: readonly string[];
  readonly rewriteTimestamp: boolean;
  /** `source-date-epoch=`: the epoch for rewriting (null: `source-date-epoch=` empty, no epoch); absent: the build's. */
  readonly sourceDateEpoch?: number | null;
}

export const imageOutputTypes: readonly string[] = ['oci', 'docker', 'image'];

/** BuildKit's `normalizedNames`: `org/repo:t` → `docker.io/org/repo:t`, a bare name gets `:latest`. */
export function normalizedNames(value: string | undefined): string[] {
  if (value === undefined || value === '') return [];
  return value.split(',').map((name) => {
    const ref = parseNormalizedNamed(name.trim());
    return referenceString(ref.tag === undefined && ref.digest === undefined ? { ...ref, tag: 'latest' } : ref);
  });
}

/** Parses the fields of an image `--output` (the caller checked the type). */
export function parseImageOutput(type: string, fields: ReadonlyMap<string, string>, fail: (m: string) => Error) {
  const bool = (key: string, fallback: boolean): boolean => {
    const raw = fields.get(key);
    if (raw === undefined || raw === '') return fallback;
    if (raw === 'true' || raw === 'false') return raw === 'true';
    throw fail(`invalid value ${raw} for ${key} (true or false)`);
  };
  const spec: ImageOutputSpec = {
    type: type as ImageOutputSpec['type'],
    dest: fields.get('dest') ?? '',
    tar: bool('tar', true),
    names: normalizedNames(fields.get('name')),
    rewriteTimestamp: bool('rewrite-timestamp', false),
    ...epochField(fields.get('source-date-epoch'), fail),
  };
  if (spec.type !== 'image' && spec.dest === '') throw fail(`output type ${type} needs dest=`);
  if (spec.type === 'docker' && !spec.tar) throw fail('output type docker is always a tar (tar=false is for oci)');
  return spec;
}

function epochField(raw: string | undefined, fail: (m: string) => Error): { sourceDateEpoch?: number | null } {
  if (raw === undefined) return {};
  if (raw === '') return { sourceDateEpoch: null };
  if (!/^[0-9]+$/.test(raw)) throw fail(`invalid source-date-epoch ${raw} (whole seconds)`);
  return { sourceDateEpoch: Number(raw) };
}

export interface ExportedImage {
  readonly manifestDigest: Digest;
  readonly tags: readonly string[];
}

export async function exportImage(store: Store, image: ExportedImage, output: ImageOutputSpec): Promise<void> {
  const names = output.names.length > 0 ? output.names : image.tags.map((t) => normalizedNames(t)[0]);
  // The store is the daemon here: names given to an image exporter become tags, as docker's load does.
  for (const name of output.names) await store.tag(name, image.manifestDigest);
  if (output.type === 'image') return;
  if (output.type === 'docker') {
    const target = output.dest === '-' ? stdoutSink() : output.dest;
    await saveDockerArchive(store, names.length > 0 ? names : [image.manifestDigest], target);
    return;
  }
  const entries = await layoutEntries(store, image.manifestDigest, names);
  if (output.tar) await writeTar(entries, output.dest === '-' ? stdoutSink() : output.dest);
  else await writeLayoutDir(output.dest, entries);
}

/** To a file under a temp name renamed into place (no half archive under the final name), or to a stream. */
export async function writeTar(
  entries: AsyncIterable<TarEntry> | Iterable<TarEntry>,
  target: string | Writable,
): Promise<void> {
  const source = () => Readable.from(tarChunks(entries));
  if (typeof target !== 'string') {
    await pipeline(source(), target, { end: false });
    return;
  }
  const temp = tempPathFor(target);
  try {
    await pipeline(source(), createWriteStream(temp, { flags: 'wx', mode: 0o644 }));
    await rename(temp, target);
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
}

const fileMeta = { uid: 0, gid: 0, mtime: 0, type: 'file', mode: 0o644 } as const;

/**
 * The layout's files; blobs are opened lazily, so nothing large is held. `digest` names an image manifest, or the
 * image index of a multi-platform build (the layout's entry is then the index, with every platform's image).
 */
async function layoutEntries(store: Store, digest: Digest, names: readonly string[]): Promise<TarEntry[]> {
  const top = await store.readJson<Partial<ImageManifest & ImageIndex>>(digest);
  const isIndex = Array.isArray(top.manifests);
  const images = isIndex
    ? await Promise.all((top.manifests ?? []).map((child) => imageBlobs(store, child.digest)))
    : [await imageBlobs(store, digest)];
  const descriptor: Descriptor = isIndex
    ? await store.manifestDescriptor(digest)
    : (images[0] as { manifest: Descriptor }).manifest;
  const index: ImageIndex = {
    schemaVersion: 2,
    mediaType: OciMediaType.index,
    manifests:
      names.length === 0
        ? [descriptor]
        : names.map((name) => ({
            ...descriptor,
            annotations: {
              [Annotation.containerdImageName]: name,
              [Annotation.refName]: parseNormalizedNamed(name).tag ?? 'latest',
            },
          })),
  };
  const json = (p: string, value: unknown): TarEntry => ({
    ...fileMeta,
    path: p,
    content: Buffer.from(JSON.stringify(value)),
  });
  const blob = (d: Descriptor): TarEntry => ({
    ...fileMeta,
    path: `blobs/sha256/${digestHex(d.digest)}`,
    size: d.size,
    content: () => store.openBlob(d.digest),
  });
  const dir = (p: string): TarEntry => ({ ...fileMeta, path: p, type: 'directory', mode: 0o755 });
  const seen = new Set<string>();
  const all = images.flatMap((image) => [image.config, ...image.layers, image.manifest]);
  const blobs = [...all, ...(isIndex ? [descriptor] : [])].filter((d) => !seen.has(d.digest) && seen.add(d.digest));
  return [
    json('oci-layout', { imageLayoutVersion: '1.0.0' }),
    dir('blobs'),
    dir('blobs/sha256'),
    ...blobs.map(blob),
    json('index.json', index),
  ];
}

/** An image manifest's blobs: its config, its layers, and the manifest itself (described with its platform). */
async function imageBlobs(
  store: Store,
  manifestDigest: Digest,
): Promise<{ config: Descriptor; layers: readonly Descriptor[]; manifest: Descriptor }> {
  const manifest = await store.readJson<ImageManifest>(manifestDigest);
  const config = await store.readJson<ImageConfig>(manifest.config.digest);
  const descriptor = await store.manifestDescriptor(manifestDigest);
  return {
    config: manifest.config,
    layers: manifest.layers,
    manifest: { ...descriptor, platform: configPlatform(config) },
  };
}

/** `tar=false`: the same files in a directory (blobs first, index.json last, so a reader never sees a dangling entry). */
async function writeLayoutDir(dest: string, entries: readonly TarEntry[]): Promise<void> {
  await mkdir(path.join(dest, 'blobs', 'sha256'), { recursive: true });
  for (const entry of entries) {
    if (entry.type !== 'file' || entry.content === undefined) continue;
    const content = entry.content;
    const data = typeof content === 'function' ? content() : content;
    await writeFile(path.join(dest, entry.path), data as Uint8Array | AsyncIterable<Uint8Array>);
  }
}
