// `tsbuild push NAME[:TAG]`: uploads a stored image (every stored platform of a multi-platform one) and then its
// manifest under the tag. Blobs the registry has are skipped; the exact stored manifest bytes are sent, so the
// registry's digest is the store's.
import {
  type Descriptor,
  type Digest,
  type ImageIndex,
  type ImageManifest,
  OciMediaType,
  parseDockerRef,
  type RegistryClient,
  type Repository,
  referenceName,
  type Store,
} from '../../../image/index.js';
import { topDigestOf } from '../images/catalog.js';
import { type CommandIo, guarded, openStore, processIo, type StoreOptions } from '../images/command-io.js';
import { shortId } from '../images/human.js';
import { type RegistryOptions, registryClient } from '../pull/registry-options.js';

export interface PushOptions extends StoreOptions, RegistryOptions {
  readonly name: string;
  readonly quiet?: boolean;
}

type TopLevel = Partial<ImageManifest & ImageIndex>;

async function pushManifestBlobs(
  client: RegistryClient,
  store: Store,
  repo: Repository,
  manifest: ImageManifest,
  say: (text: string) => void,
): Promise<void> {
  const blobs: Descriptor[] = [...manifest.layers, manifest.config];
  const results = await client.pushBlobs(
    repo,
    blobs.map((blob) => ({ blob, source: { file: store.blobPath(blob.digest) } })),
  );
  for (const [i, result] of results.entries()) {
    if (i === blobs.length - 1) break; // the config is not a layer; Docker does not list it
    say(`${shortId(blobs[i]!.digest)}: ${result === 'exists' ? 'Layer already exists' : 'Pushed'}\n`);
  }
}

async function pushManifest(
  client: RegistryClient,
  store: Store,
  repo: Repository,
  digest: Digest,
  reference: string,
  fallbackType: string,
  say: (text: string) => void,
): Promise<Descriptor> {
  const bytes = await store.readBlob(digest);
  const json = JSON.parse(bytes.toString('utf8')) as TopLevel;
  const mediaType = json.mediaType ?? fallbackType;
  if (Array.isArray(json.manifests)) {
    for (const child of json.manifests) {
      if (!(await store.hasBlob(child.digest))) continue; // a platform that was never pulled
      await pushManifest(client, store, repo, child.digest, child.digest, child.mediaType, say);
    }
  } else {
    await pushManifestBlobs(client, store, repo, json as ImageManifest, say);
  }
  return client.putManifest(repo, reference, mediaType, bytes);
}

export async function run(opts: PushOptions, io: CommandIo = processIo): Promise<number> {
  return guarded(io, async () => {
    const ref = parseDockerRef(opts.name);
    if (ref.tag === undefined) throw new Error(`${opts.name}: push needs a tag, not a digest`);
    const say = (text: string) => {
      if (!opts.quiet) io.stdout(text);
    };
    const store = await openStore(opts, io);
    const image = await store.resolve(opts.name);
    const top = topDigestOf(image);
    const client = registryClient(opts, io);
    try {
      say(`The push refers to repository [${referenceName(ref)}]\n`);
      const fallback = image.indexDigest ? OciMediaType.index : OciMediaType.manifest;
      const pushed = await pushManifest(client, store, ref, top, ref.tag, fallback, say);
      io.stdout(`${ref.tag}: digest: ${pushed.digest} size: ${pushed.size}\n`);
      return 0;
    } finally {
      client.close();
    }
  });
}
