// `tsbuild push NAME[:TAG]`: uploads a stored image (every stored platform of a multi-platform one) and then its
// manifest under the tag; the transfer itself is image/registry's pushImage, shared with `build --push`.
import { OciMediaType, parseDockerRef, pushImage, referenceName } from '../../../image/index.js';
import { topDigestOf } from '../images/catalog.js';
import { type CommandIo, guarded, openStore, processIo, type StoreOptions } from '../images/command-io.js';
import { shortId } from '../images/human.js';
import { type RegistryOptions, registryClient } from '../pull/registry-options.js';

export interface PushOptions extends StoreOptions, RegistryOptions {
  readonly name: string;
  readonly quiet?: boolean;
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
      const pushed = await pushImage(client, store, ref, {
        digest: top,
        reference: ref.tag,
        fallbackMediaType: fallback,
        onLayer: (layer, result) =>
          say(`${shortId(layer.digest)}: ${result === 'exists' ? 'Layer already exists' : 'Pushed'}\n`),
      });
      io.stdout(`${ref.tag}: digest: ${pushed.digest} size: ${pushed.size}\n`);
      return 0;
    } finally {
      client.close();
    }
  });
}
