// `tsbuild system df [-v] [--format F]` (also `tsbuild df`): the store's disk usage in `docker system df` columns. Images: the
// bytes their manifests, configs and layers take (blob, unpacked snapshot, compressed forms), active when a mount
// (a build, `tsbuild run`) uses one of their snapshots; reclaimable is what no active image holds. Build Cache: the
// records of built steps and images and the RUN cache mounts; its size is what they keep beyond images (shared
// data counts with the images), reclaimable what no running build uses. `-v` lists the images and records.
// `--format` (`table …`, `json`, a Go template) renders the summary rows as docker's disk usage context does.
import path from 'node:path';
import { type CacheUsageRecord, layerBytes, listMountsUnder, readCacheUsage } from '../../../executor/index.js';
import type { Digest, Store } from '../../../image/index.js';
import { GoStruct } from '../../template/index.js';
import { type CatalogEntry, listCatalog } from '../images/catalog.js';
import { type CommandIo, guarded, openStore, processIo, type StoreOptions } from '../images/command-io.js';
import { contextJson, printRows } from '../images/format.js';
import { createdAgo, humanDuration, humanSize, shortId } from '../images/human.js';
import { formatTable, repositoryAndTag } from '../images/table.js';
import { snapshotsInUse } from '../prune/in-use.js';

export interface DfOptions extends StoreOptions {
  readonly verbose?: boolean;
  /** `--format`: `table …`, `json`, or a Go template over the summary rows (Type, TotalCount, Active, Size, Reclaimable). */
  readonly format?: string;
  /** "Now", for tests of the age columns. */
  readonly now?: number;
}

interface ImageUsage {
  readonly entry: CatalogEntry;
  readonly units: readonly Digest[];
  readonly active: boolean;
}

const percent = (part: number, total: number) =>
  total > 0 ? `${humanSize(part, 4)} (${Math.trunc((part * 100) / total)}%)` : humanSize(part, 4);

async function imageUsage(store: Store, sizes: Map<string, number>): Promise<ImageUsage[]> {
  const mounted = await snapshotsInUse();
  const out: ImageUsage[] = [];
  for (const entry of await listCatalog(store)) {
    const image = entry.image;
    if (image === undefined) continue;
    const units: Digest[] = [entry.topDigest, image.manifestDigest, image.configDigest];
    let active = false;
    for (const [i, layer] of image.manifest.layers.entries()) {
      const diffId = image.config.rootfs?.diff_ids?.[i];
      if (!sizes.has(layer.digest)) sizes.set(layer.digest, await layerBytes(store, layer.digest, diffId));
      if (diffId !== undefined && mounted.has(diffId.slice(7, 23))) active = true;
      units.push(layer.digest);
    }
    for (const digest of units.slice(0, 3))
      if (!sizes.has(digest)) sizes.set(digest, await store.blobSize(digest).catch(() => 0));
    out.push({ entry, units: [...new Set(units)], active });
  }
  return out;
}

function bytesOf(units: Iterable<string>, sizes: ReadonlyMap<string, number>): number {
  let total = 0;
  for (const unit of new Set(units)) total += sizes.get(unit) ?? 0;
  return total;
}

export async function run(opts: DfOptions, io: CommandIo = processIo): Promise<number> {
  return guarded(io, async () => {
    const store = await openStore(opts, io);
    const now = opts.now ?? Date.now();
    const mounted = (await listMountsUnder(path.join(store.paths.cache, 'mounts'))).map((m) => m.target);
    const usage = await readCacheUsage(store, { mounted });
    const sizes = new Map<string, number>(usage.units);
    const images = await imageUsage(store, sizes);
    const ids = new Set(images.map((i) => i.entry.image?.configDigest));
    const imageBytes = bytesOf(
      images.flatMap((i) => i.units),
      sizes,
    );
    const activeBytes = bytesOf(
      images.filter((i) => i.active).flatMap((i) => i.units),
      sizes,
    );
    const imageHeld = new Set<string>(images.flatMap((i) => i.units));
    const cacheUnits = (records: readonly CacheUsageRecord[]) =>
      records.flatMap((r) => r.holds).filter((u) => !imageHeld.has(u));
    const cacheBytes = bytesOf(cacheUnits(usage.records), sizes);
    const inUse = usage.records.filter((r) => r.inUse);
    const reclaimable = cacheBytes - bytesOf(cacheUnits(inUse), sizes);
    const rows = [
      summaryRow(
        'Images',
        ids.size,
        new Set(images.filter((i) => i.active).map((i) => i.entry.image?.configDigest)).size,
        humanSize(imageBytes, 4),
        percent(imageBytes - activeBytes, imageBytes),
      ),
      summaryRow(
        'Build Cache',
        usage.records.length,
        inUse.length,
        humanSize(cacheBytes, 4),
        humanSize(reclaimable, 4),
      ),
    ];
    const format = opts.format || 'table';
    if (opts.verbose === true && format !== 'table') {
      io.stderr('tsbuild: --format with -v takes only `table` (the listing as -v prints it)\n');
      return 1;
    }
    if (opts.verbose !== true) return printRows(io, summaryFormat(format), rows, dfHeader) ? 0 : 1;
    io.stdout(`Images space usage:\n\n${imageTable(images, sizes, now)}`);
    io.stdout(`\nBuild cache usage: ${humanSize(cacheBytes, 4)}\n\n${cacheTable(usage.records, now)}`);
    return 0;
  });
}

/** docker's summary columns (formatter/disk_usage.go): field → header. */
const dfHeader: Readonly<Record<string, string>> = {
  Type: 'TYPE',
  TotalCount: 'TOTAL',
  Active: 'ACTIVE',
  Size: 'SIZE',
  Reclaimable: 'RECLAIMABLE',
};

/** formatter.NewDiskUsageFormat without -v: what `table` and `raw` stand for; anything else is the template. */
function summaryFormat(format: string): string {
  if (format === 'table') return 'table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}';
  if (format === 'raw')
    return 'type: {{.Type}}\ntotal: {{.TotalCount}}\nactive: {{.Active}}\nsize: {{.Size}}\nreclaimable: {{.Reclaimable}}\n';
  return format;
}

/** One summary row as docker's disk usage contexts give it to a template (every field a string). */
function summaryRow(type: string, total: number, active: number, size: string, reclaimable: string): GoStruct {
  const fields = { Active: `${active}`, Reclaimable: reclaimable, Size: size, TotalCount: `${total}`, Type: type };
  const goType = type === 'Images' ? '*formatter.diskUsageImagesContext' : '*formatter.diskUsageBuilderContext';
  return new GoStruct(goType, fields, contextJson(fields), true);
}

function imageTable(images: readonly ImageUsage[], sizes: ReadonlyMap<string, number>, now: number): string {
  const holders = new Map<string, number>();
  for (const image of images) for (const unit of image.units) holders.set(unit, (holders.get(unit) ?? 0) + 1);
  const rows = images.map(({ entry, units, active }) => {
    const [repo, tag] = repositoryAndTag(entry.familiar);
    const size = bytesOf(units, sizes);
    const shared = bytesOf(
      units.filter((u) => (holders.get(u) ?? 0) > 1),
      sizes,
    );
    return [
      repo,
      tag,
      shortId(entry.image?.configDigest ?? entry.topDigest),
      createdAgo(entry.image?.config.created, now),
      humanSize(size),
      humanSize(shared),
      humanSize(size - shared),
      active ? '1' : '0',
    ];
  });
  return formatTable(
    ['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE', 'SHARED SIZE', 'UNIQUE SIZE', 'CONTAINERS'],
    rows,
  );
}

/** docker's build cache table (least recently used first), with the record's description last. */
function cacheTable(records: readonly CacheUsageRecord[], now: number): string {
  const sorted = [...records].sort((a, b) => a.lastUsedAt - b.lastUsedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const ago = (time: number) => `${humanDuration(now - time)} ago`;
  return formatTable(
    ['CACHE ID', 'CACHE TYPE', 'SIZE', 'CREATED', 'LAST USED', 'SHARED', 'DESCRIPTION'],
    sorted.map((r) => [
      `${r.id.slice(0, 12)}${r.inUse ? '*' : ''}`,
      r.type,
      humanSize(r.size),
      ago(r.createdAt),
      ago(r.lastUsedAt),
      `${r.shared}`,
      r.description,
    ]),
  );
}
