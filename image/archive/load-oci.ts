import { Annotation } from '../media-types.js';
import type { Descriptor, ImageIndex, ImageManifest } from '../oci-types.js';
import { normalizeReference } from '../reference.js';
import type { Store } from '../store/store.js';
import { type ArchiveContents, ArchiveError, type LoadedImage } from './archive-contents.js';

/** The tag to apply for an index entry: containerd's full name, a full ref.name, or `name` + a bare tag. */
function refFor(descriptor: Descriptor, name: string | undefined): string | undefined {
  const full = descriptor.annotations?.[Annotation.containerdImageName];
  if (full) return normalizeReference(full);
  const refName = descriptor.annotations?.[Annotation.refName];
  if (refName === undefined) return name === undefined ? undefined : normalizeReference(name);
  if (/[/:@]/.test(refName)) return normalizeReference(refName);
  return name === undefined ? undefined : normalizeReference(`${name.replace(/:[^/:]*$/, '')}:${refName}`);
}

/** Checks that a manifest (or index) and everything it references arrived with the archive. */
async function checkComplete(store: Store, descriptor: Descriptor, seen = new Set<string>()): Promise<void> {
  if (seen.has(descriptor.digest)) return;
  seen.add(descriptor.digest);
  if (!(await store.hasBlob(descriptor.digest))) throw new ArchiveError(`archive is missing blob ${descriptor.digest}`);
  const json = await store.readJson<Partial<ImageManifest & ImageIndex>>(descriptor.digest);
  for (const child of json.manifests ?? []) await checkComplete(store, child, seen);
  for (const blob of [json.config, ...(json.layers ?? [])]) {
    if (blob && !(await store.hasBlob(blob.digest))) throw new ArchiveError(`archive is missing blob ${blob.digest}`);
  }
}

/** Stores the images of an OCI archive (its blobs are already in the store, verified against their names). */
export async function loadOciImages(store: Store, contents: ArchiveContents, name?: string): Promise<LoadedImage[]> {
  let index: ImageIndex;
  try {
    index = JSON.parse(contents.json.get('index.json')!.toString('utf8'));
  } catch {
    throw new ArchiveError('index.json is not valid JSON');
  }
  if (!Array.isArray(index.manifests)) throw new ArchiveError('index.json has no manifests');
  const loaded: LoadedImage[] = [];
  for (const descriptor of index.manifests) {
    await checkComplete(store, descriptor);
    const ref = refFor(descriptor, name);
    if (ref !== undefined) await store.tag(ref, descriptor.digest);
    loaded.push({ manifestDigest: descriptor.digest, refs: ref === undefined ? [] : [ref] });
  }
  return loaded;
}
