// `tsbuild images [-a] [-q]`: the store's images, newest first, in `docker images` columns.

import { type CatalogEntry, imageSize, type LayerSizes, listCatalog } from './catalog.js';
import { type CommandIo, errorText, guarded, openStore, processIo, type StoreOptions } from './command-io.js';
import { createdAgo, humanSize, shortId } from './human.js';
import { formatTable, repositoryAndTag } from './table.js';

export interface ImagesOptions extends StoreOptions {
  /** Also list untagged entries (Docker's intermediate images; the store keeps none apart from these). */
  readonly all?: boolean;
  /** Only the image IDs. */
  readonly quiet?: boolean;
  /** "Now", for tests of the CREATED column. */
  readonly now?: number;
}

/** As Docker lists them: a digest reference is a row of its own only when its repository has no tag for the image. */
function digestRefShadowed(entry: CatalogEntry, catalog: readonly CatalogEntry[]): boolean {
  const at = entry.ref?.indexOf('@') ?? -1;
  if (entry.ref === undefined || at < 0) return false;
  const repo = entry.ref.slice(0, at);
  return catalog.some((other) => other.topDigest === entry.topDigest && other.ref?.startsWith(`${repo}:`));
}

const createdTime = (entry: CatalogEntry) => Date.parse(entry.image?.config.created ?? '') || 0;

export async function run(opts: ImagesOptions, io: CommandIo = processIo): Promise<number> {
  return guarded(io, async () => {
    const store = await openStore(opts, io);
    const catalog = await listCatalog(store);
    const entries = catalog
      .filter((entry) => opts.all || entry.ref !== undefined || entry.image !== undefined)
      .filter((entry) => !digestRefShadowed(entry, catalog))
      .sort((a, b) => createdTime(b) - createdTime(a) || (a.familiar ?? '').localeCompare(b.familiar ?? ''));
    const id = (entry: CatalogEntry) => shortId(entry.image?.configDigest ?? entry.topDigest);
    if (opts.quiet) {
      io.stdout(entries.map((entry) => `${id(entry)}\n`).join(''));
      return 0;
    }
    const layerSizes: LayerSizes = new Map();
    const failures = new Set<string>();
    const sizeOf = async (entry: CatalogEntry): Promise<string> => {
      if (entry.image === undefined) return 'N/A';
      try {
        return humanSize(await imageSize(store, entry.image, layerSizes));
      } catch (error) {
        // One unreadable layer costs its images' SIZE, not the listing; the failure is still reported.
        failures.add(errorText(error));
        return 'N/A';
      }
    };
    const sizes = await Promise.all(entries.map(sizeOf));
    const rows = entries.map((entry, i) => [
      ...repositoryAndTag(entry.familiar),
      id(entry),
      createdAgo(entry.image?.config.created, opts.now),
      sizes[i]!,
    ]);
    io.stdout(formatTable(['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE'], rows));
    for (const message of failures) io.stderr(`Error: ${message}\n`);
    return failures.size > 0 ? 1 : 0;
  });
}
