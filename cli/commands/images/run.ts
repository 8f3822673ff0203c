// `tsbuild images [REPOSITORY[:TAG]] [-a] [-q] [--digests] [--no-trunc] [--filter K=V]… [--format F]`: the store's
// images, newest first, as `docker images` prints them: its default table, or a Go template per row (format.ts)
// on docker's image context (ID, Repository, Tag, Digest, CreatedSince, CreatedAt, Size, …).
import type { Store } from '../../../image/index.js';
import { type CatalogEntry, imageSize, type LayerSizes, listCatalog } from './catalog.js';
import { type CommandIo, errorText, guarded, openStore, processIo, type StoreOptions } from './command-io.js';
import { entryFilter, FilterError, parseFilterArgs } from './filters.js';
import { isTableFormat, printRows } from './format.js';
import { imageRow, imagesHeader } from './image-context.js';

export interface ImagesOptions extends StoreOptions {
  /** Also list untagged entries (Docker's intermediate images; the store keeps none apart from these). */
  readonly all?: boolean;
  /** Only the image IDs. */
  readonly quiet?: boolean;
  /** The DIGEST column (and digest-only references as rows of their own). */
  readonly digests?: boolean;
  /** Full image IDs. */
  readonly noTrunc?: boolean;
  /** `--filter` values (`dangling=true`, `reference=alpine*`, …). */
  readonly filters?: readonly string[];
  /** `REPOSITORY[:TAG]` operand: a reference filter. */
  readonly reference?: string;
  /** `--format`: `table …`, `json`, or a Go template. */
  readonly format?: string;
  /** "Now", for tests of the CREATED column. */
  readonly now?: number;
}

const defaultTable =
  'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{if .CreatedSince }}{{.CreatedSince}}{{else}}N/A{{end}}\t{{.Size}}';
const defaultTableWithDigest =
  'table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{if .CreatedSince }}{{.CreatedSince}}{{else}}N/A{{end}}\t{{.Size}}';
const rawFormat = (digest: boolean) =>
  `repository: {{ .Repository }}\ntag: {{.Tag}}\n${digest ? 'digest: {{.Digest}}\n' : ''}image_id: {{.ID}}\ncreated_at: {{.CreatedAt}}\nvirtual_size: {{.Size}}\n`;

/** formatter.NewImageFormat: the format a `--format` value (default `table`) stands for. */
export function imageFormat(source: string, quiet: boolean, digest: boolean): string {
  if (source === 'table') return quiet ? '{{.ID}}' : digest ? defaultTableWithDigest : defaultTable;
  if (source === 'raw') return quiet ? 'image_id: {{.ID}}' : rawFormat(digest);
  if (isTableFormat(source) && digest && !source.includes('{{.Digest}}')) return `${source}\t{{.Digest}}`;
  return source;
}

/** As Docker lists them: a digest reference is a row of its own only when its repository has no tag for the image. */
function digestRefShadowed(entry: CatalogEntry, catalog: readonly CatalogEntry[]): boolean {
  const at = entry.ref?.indexOf('@') ?? -1;
  if (entry.ref === undefined || at < 0) return false;
  const repo = entry.ref.slice(0, at);
  return catalog.some((other) => other.topDigest === entry.topDigest && other.ref?.startsWith(`${repo}:`));
}

const createdTime = (entry: CatalogEntry) => Date.parse(entry.image?.config.created ?? '') || 0;

async function listEntries(store: Store, opts: ImagesOptions, now: number): Promise<CatalogEntry[]> {
  const filters = parseFilterArgs(opts.filters ?? []);
  if (opts.reference !== undefined) filters.set('reference', [...(filters.get('reference') ?? []), opts.reference]);
  const catalog = await listCatalog(store);
  const matches = await entryFilter(store, filters, now);
  return catalog
    .filter((entry) => opts.all || entry.ref !== undefined || entry.image !== undefined)
    .filter((entry) => !digestRefShadowed(entry, catalog))
    .filter(matches)
    .sort((a, b) => createdTime(b) - createdTime(a) || (a.familiar ?? '').localeCompare(b.familiar ?? ''));
}

export async function run(opts: ImagesOptions, io: CommandIo = processIo): Promise<number> {
  return guarded(io, async () => {
    const now = opts.now ?? Date.now();
    const store = await openStore(opts, io);
    let entries: CatalogEntry[];
    try {
      entries = await listEntries(store, opts, now);
    } catch (error) {
      if (!(error instanceof FilterError)) throw error;
      io.stderr(`Error: ${error.message}\n`);
      return 1;
    }
    const format = imageFormat(opts.format || 'table', opts.quiet ?? false, opts.digests ?? false);
    const layerSizes: LayerSizes = new Map();
    const failures = new Set<string>();
    // Layers are read only when the output shows a size.
    const needSize = /Size|json|\$|\.(?![A-Za-z_])/.test(format);
    const sizeOf = async (entry: CatalogEntry): Promise<number | undefined> => {
      if (entry.image === undefined || !needSize) return undefined;
      try {
        return await imageSize(store, entry.image, layerSizes);
      } catch (error) {
        // One unreadable layer costs its images' SIZE, not the listing; the failure is still reported.
        failures.add(errorText(error));
        return undefined;
      }
    };
    const sizes = await Promise.all(entries.map(sizeOf));
    const context = {
      trunc: !opts.noTrunc,
      digests: opts.digests ?? false,
      needDigest: (opts.digests ?? false) || format.includes('{{.Digest}}'),
      now,
    };
    const rows = entries.map((entry, i) => imageRow(entry, sizes[i], context));
    if (!printRows(io, format, rows, imagesHeader)) return 1;
    for (const message of failures) io.stderr(`Error: ${message}\n`);
    return failures.size > 0 ? 1 : 0;
  });
}
