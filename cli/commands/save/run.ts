// `tsbuild save [-o FILE] [--format docker|oci] IMAGE…`: a docker-archive (what `docker load` reads) or an
// OCI image layout tar. Without -o the archive goes to standard output, never to a terminal.
import { saveDockerArchive, saveOciArchive } from '../../../image/index.js';
import { type CommandIo, guarded, openStore, processIo, type StoreOptions } from '../images/command-io.js';

export interface SaveOptions extends StoreOptions {
  readonly images: readonly string[];
  readonly output?: string;
  readonly format?: 'docker' | 'oci';
}

export async function run(opts: SaveOptions, io: CommandIo = processIo): Promise<number> {
  return guarded(io, async () => {
    const target = opts.output ?? io.stdoutStream;
    if (target === undefined || (typeof target !== 'string' && target.isTTY)) {
      io.stderr('Error: cowardly refusing to save to a terminal. Use the -o flag or redirect\n');
      return 1;
    }
    const store = await openStore(opts, io);
    // Resolve every name first: a missing image fails before any output is written.
    for (const name of opts.images) await store.resolve(name);
    const save = opts.format === 'oci' ? saveOciArchive : saveDockerArchive;
    await save(store, opts.images, target);
    return 0;
  });
}
