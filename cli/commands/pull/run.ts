// `tsbuild pull NAME[:TAG|@DIGEST] [--platform P]`: fetches one platform's image into the store (image/registry's
// pullImage, shared with a build's FROM) and reports it as `docker pull` does.
import { rm } from 'node:fs/promises';
import {
  familiarName,
  familiarString,
  parseDockerRef,
  parsePlatform,
  pullImage,
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
      const pulled = await pullImage(client, store, ref, {
        ...(platform === undefined ? {} : { platform }),
        tmpDir,
        onLayerExists: (layer) => say(`${shortId(layer.digest)}: Already exists\n`),
      });
      const config = pulled.manifest.manifest.config;
      // Reported in layer order once all are in, so the output does not depend on transfer timing.
      for (const blob of pulled.downloaded) {
        if (blob !== config) say(`${shortId(blob.digest)}: Pull complete\n`);
      }
      say(`Digest: ${pulled.digest}\n`);
      const upToDate = pulled.downloaded.length === 0 && pulled.previous === pulled.manifest.descriptor.digest;
      say(`Status: ${upToDate ? 'Image is up to date for' : 'Downloaded newer image for'} ${familiarString(ref)}\n`);
      io.stdout(`${referenceString(ref)}\n`);
      return 0;
    } finally {
      client.close();
      await rm(tmpDir, { recursive: true, force: true });
    }
  });
}
