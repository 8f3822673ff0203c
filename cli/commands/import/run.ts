// `tsbuild import ROOTFS.tar[.gz] [NAME[:TAG]]`: a root filesystem tarball (or `-` for standard input)
// becomes a one-layer image with an empty config; prints its image ID, as `docker import` does.
// `created` is the current time, as Docker stamps it, unless SOURCE_DATE_EPOCH is set: then it is that
// time, so importing the same tarball twice gives the same image ID. Input that is not a tar (or a
// broken gzip) fails naming the file, and leaves no image and no blob behind. The layer is unpacked for builds
// before the ID is printed (unpack.ts), from the same reading of the tar that stores it. With TSBUILD_TRACE set,
// `[trace] import store` (reading, storing and unpacking) and `[trace] import unpack` (publishing the snapshot)
// say how long each took (bench/unpack.ts prints them).
import { phaseTimer } from '../../../executor/index.js';
import { goTimeOfSeconds, importRootfs, parseDockerRef } from '../../../image/index.js';
import { type CommandIo, guarded, openStore, processIo, type StoreOptions } from '../images/command-io.js';
import { publishStreamed, streamedUnpack } from './unpack.js';

export interface ImportOptions extends StoreOptions {
  readonly file: string;
  readonly name?: string;
  /** History comment (default `Imported from -`, Docker's text). */
  readonly message?: string;
  readonly platform?: string;
}

export async function run(opts: ImportOptions, io: CommandIo = processIo): Promise<number> {
  return guarded(io, async () => {
    // Check the name before reading anything: a typo must not cost a long import.
    if (opts.name !== undefined && parseDockerRef(opts.name).tag === undefined) {
      throw new Error(`${opts.name}: a tag is needed, not a digest`);
    }
    const source = opts.file === '-' ? io.stdin : opts.file;
    if (source === undefined) throw new Error('no standard input to import from');
    const [os, architecture, variant] = (opts.platform ?? '').split('/');
    const epoch = (io.env ?? process.env).SOURCE_DATE_EPOCH;
    if (epoch !== undefined && epoch !== '' && !/^[0-9]+$/.test(epoch)) {
      throw new Error(`invalid SOURCE_DATE_EPOCH ${JSON.stringify(epoch)}: whole seconds since 1970 expected`);
    }
    const store = await openStore(opts, io);
    const phase = phaseTimer();
    const unpack = await streamedUnpack(store);
    const imported = await importRootfs(store, source, opts.name, {
      ...(unpack && { onEntries: unpack.consume }),
      ...(opts.message !== undefined && { message: opts.message }),
      ...(epoch !== undefined && epoch !== '' && { created: goTimeOfSeconds(Number(epoch)) }),
      sourceName: opts.file === '-' ? 'standard input' : opts.file,
      ...(opts.platform !== undefined && os && { os }),
      ...(architecture && { architecture }),
      ...(variant && { variant }),
    }).catch(async (error: unknown) => {
      await unpack?.discard();
      throw error;
    });
    phase('import store');
    if (unpack) await publishStreamed(unpack, { ...imported.layer, diffId: imported.diffId }, io);
    phase('import unpack');
    io.stdout(`${imported.configDigest}\n`);
    return 0;
  });
}
