// `tsbuild inspect IMAGE…`: a JSON array of Docker-shaped image objects. As `docker inspect` does, it prints
// what it found and exits 1 with one `Error: No such image: …` line per missing name.

import { Annotation } from '../../../image/index.js';
import { imageSize, type LayerSizes, readIndexEntries, topDigestOf } from '../images/catalog.js';
import { type CommandIo, errorText, openStore, processIo, type StoreOptions } from '../images/command-io.js';
import { type ImageInspect, inspectImage } from './inspect-json.js';

export interface InspectOptions extends StoreOptions {
  readonly images: readonly string[];
}

export async function run(opts: InspectOptions, io: CommandIo = processIo): Promise<number> {
  const found: ImageInspect[] = [];
  const errors: string[] = [];
  try {
    const store = await openStore(opts, io);
    const entries = await readIndexEntries(store);
    const layerSizes: LayerSizes = new Map();
    for (const name of opts.images) {
      try {
        const image = await store.resolve(name);
        const top = topDigestOf(image);
        const refs = entries.flatMap((entry) => {
          const ref = entry.annotations?.[Annotation.refName];
          return entry.digest === top && ref !== undefined ? [ref] : [];
        });
        found.push(inspectImage(image, refs, await imageSize(store, image, layerSizes)));
      } catch (error) {
        errors.push(errorText(error));
      }
    }
  } catch (error) {
    errors.push(errorText(error));
  }
  io.stdout(`${JSON.stringify(found, null, 4)}\n`);
  for (const message of errors) io.stderr(`Error: ${message}\n`);
  return errors.length > 0 ? 1 : 0;
}
