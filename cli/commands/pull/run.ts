// `tsbuild pull NAME[:TAG|@DIGEST] [--platform P]`: fetches one platform's image into the store. Every blob is
// verified against its digest on the way in, and the tag moves only once all of them are stored, so an
// interrupted pull leaves no tag pointing at missing content (the stored blobs go at the next prune).
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import {
  type Descriptor,
  familiarName,
  familiarString,
  parseDockerRef,
  parsePlatform,
  referenceString,
} from '../../../image/index.js';
import { type CommandIo, guarded, openStore, processIo, type StoreOptions } from '../images/command-io.js';
import { shortId } from '../images/human.js';
import { type RegistryOptions, registryClient, transferDir } from './registry-options.js';

export interface PullOptions extends StoreOptions, RegistryOptions {
  readonly name: string;
  readonly platform?: string;
  readonly quiet?: boolean;
}

export async function run(opts: PullOptions, io: CommandIo = processIo): Promise<number> {
  return guarded(io, async () => {
    const ref = parseDockerRef(opts.name);
    const platform = opts.platform === undefined ? undefined : parsePlatform(opts.platform);
    const say = (text: string) => {
      if (!opts.quiet) io.stdout(text);
    };
    const store = await openStore(opts, io);
    const client = registryClient(opts, io);
    const tmpDir = await transferDir(store);
    try {
      if (ref.tag === 'latest' && !/:latest$/.test(opts.name)) say('Using default tag: latest\n');
      say(`${ref.tag ?? ref.digest}: Pulling from ${familiarName(ref)}\n`);
      const { index, manifest } = await client.getImage(ref, platform);
      const wanted: Descriptor[] = [];
      for (const blob of [manifest.manifest.config, ...manifest.manifest.layers]) {
        if (await store.hasBlob(blob.digest)) {
          if (blob !== manifest.manifest.config) say(`${shortId(blob.digest)}: Already exists\n`);
        } else wanted.push(blob);
      }
      await client.fetchBlobs(
        ref,
        wanted,
        async (blob, file) => {
          await store.putBlob(createReadStream(file), { digest: blob.digest, size: blob.size });
        },
        { tmpDir },
      );
      // Reported in layer order once all are in, so the output does not depend on transfer timing.
      for (const blob of wanted) {
        if (blob !== manifest.manifest.config) say(`${shortId(blob.digest)}: Pull complete\n`);
      }
      // The index too (exact bytes), so `name@<index digest>` resolves; only the platform manifest is tagged, as
      // in Docker, so a tag never names a platform this store lacks.
      if (index !== undefined) await store.putManifest(index.bytes, index.descriptor.mediaType);
      const stored = await store.putManifest(manifest.bytes, manifest.descriptor.mediaType);
      if (stored.digest !== manifest.descriptor.digest) {
        throw new Error(`manifest stored as ${stored.digest}, expected ${manifest.descriptor.digest}`);
      }
      const before =
        ref.tag === undefined ? undefined : await store.resolve(referenceString(ref)).catch(() => undefined);
      if (ref.tag !== undefined) await store.tag(referenceString(ref), stored.digest);
      say(`Digest: ${index?.descriptor.digest ?? manifest.descriptor.digest}\n`);
      const upToDate = wanted.length === 0 && before?.manifestDigest === stored.digest;
      say(`Status: ${upToDate ? 'Image is up to date for' : 'Downloaded newer image for'} ${familiarString(ref)}\n`);
      io.stdout(`${referenceString(ref)}\n`);
      return 0;
    } finally {
      client.close();
      await rm(tmpDir, { recursive: true, force: true });
    }
  });
}
