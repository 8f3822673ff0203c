// `tsbuild load [-i FILE] [-q]`: stores the images of a docker-archive or OCI archive (plain or compressed),
// read from FILE or standard input, unpacks their layers for builds (import/unpack.ts) and prints `Loaded image:
// NAME` (or the ID of an untagged image).
import { familiarString, loadArchive, parseDockerRef } from '../../../image/index.js';
import { type CommandIo, guarded, openStore, processIo, type StoreOptions } from '../images/command-io.js';
import { unpackForBuilds } from '../import/unpack.js';

export interface LoadOptions extends StoreOptions {
  /** Archive file; standard input when absent or `-`. */
  readonly input?: string;
  /** Name for an OCI archive whose index entries carry only a tag (or nothing). */
  readonly name?: string;
  readonly quiet?: boolean;
}

export async function run(opts: LoadOptions, io: CommandIo = processIo): Promise<number> {
  return guarded(io, async () => {
    const source = opts.input === undefined || opts.input === '-' ? io.stdin : opts.input;
    if (source === undefined) throw new Error('no archive: use -i FILE or pipe one to standard input');
    const store = await openStore(opts, io);
    const loaded = await loadArchive(store, source, opts.name === undefined ? {} : { name: opts.name });
    await unpackForBuilds(
      store,
      loaded.map((image) => image.manifestDigest),
      io,
    );
    for (const image of loaded) {
      if (image.refs.length === 0) {
        const resolved = await store.resolve(image.manifestDigest).catch(() => undefined);
        io.stdout(`Loaded image ID: ${resolved?.configDigest ?? image.manifestDigest}\n`);
      }
      for (const ref of image.refs) io.stdout(`Loaded image: ${familiarString(parseDockerRef(ref))}\n`);
    }
    return 0;
  });
}
