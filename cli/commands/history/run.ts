// `tsbuild history IMAGE [--no-trunc] [-q]`: the image's history, newest first, in `docker history` columns.
// A layer's SIZE is its content size as Docker counts it (files and symlink targets, not tar bytes).
import { type Descriptor, type HistoryEntry, layerContentSize } from '../../../image/index.js';
import { type CommandIo, guarded, openStore, processIo, type StoreOptions } from '../images/command-io.js';
import { createdAgo, ellipsis, humanSize, shortId } from '../images/human.js';
import { formatTable } from '../images/table.js';

export interface HistoryOptions extends StoreOptions {
  readonly image: string;
  readonly noTrunc?: boolean;
  readonly quiet?: boolean;
  readonly now?: number;
}

interface Row {
  entry: HistoryEntry;
  layer?: Descriptor;
}

/** Pairs history entries with layers: each entry without `empty_layer` consumed the next layer. */
function pairLayers(history: readonly HistoryEntry[], layers: readonly Descriptor[]): Row[] {
  let next = 0;
  return history.map((entry) => {
    if (entry.empty_layer) return { entry };
    const layer = layers[next++];
    return layer === undefined ? { entry } : { entry, layer };
  });
}

export async function run(opts: HistoryOptions, io: CommandIo = processIo): Promise<number> {
  return guarded(io, async () => {
    const store = await openStore(opts, io);
    const image = await store.resolve(opts.image);
    const history = image.config.history ?? [];
    // An image without history (some imports) still has layers; show one row per layer, as Docker does.
    const rows = (
      history.length > 0
        ? pairLayers(history, image.manifest.layers)
        : image.manifest.layers.map((layer): Row => ({ entry: {}, layer }))
    ).reverse();
    const id = opts.noTrunc ? image.configDigest : shortId(image.configDigest);
    const ids = rows.map((_, i) => (i === 0 ? id : '<missing>'));
    if (opts.quiet) {
      io.stdout(ids.map((value) => `${value}\n`).join(''));
      return 0;
    }
    const table: string[][] = [];
    for (const [i, row] of rows.entries()) {
      const size = row.layer ? await layerContentSize(store, row.layer) : 0;
      const createdBy = (row.entry.created_by ?? '').replaceAll('\t', ' ');
      table.push([
        ids[i]!,
        createdAgo(row.entry.created, opts.now),
        opts.noTrunc ? createdBy : ellipsis(createdBy, 45),
        humanSize(size),
        row.entry.comment ?? '',
      ]);
    }
    io.stdout(formatTable(['IMAGE', 'CREATED', 'CREATED BY', 'SIZE', 'COMMENT'], table));
    return 0;
  });
}
