// `tsbuild history IMAGE [--no-trunc] [-q] [-H=false] [--format F]`: the image's history, newest first, as
// `docker history` prints it: its default table, or a Go template per row on docker's history context (ID,
// CreatedSince, CreatedAt, CreatedBy, Size, Comment). A layer's SIZE is its content size as Docker counts it
// (files and symlink targets, not tar bytes).
import { type Descriptor, type HistoryEntry, layerContentSize } from '../../../image/index.js';
import { GoStruct } from '../../template/index.js';
import { type CommandIo, guarded, openStore, processIo, type StoreOptions } from '../images/command-io.js';
import { contextJson, printRows } from '../images/format.js';
import { ellipsis, humanDuration, humanSize, shortId } from '../images/human.js';
import { goRfc3339 } from '../images/local-time.js';

export interface HistoryOptions extends StoreOptions {
  readonly image: string;
  readonly noTrunc?: boolean;
  readonly quiet?: boolean;
  /** -H/--human (default true): sizes and dates for people; false prints bytes and RFC 3339 times. */
  readonly human?: boolean;
  /** `--format`: `table …`, `json`, or a Go template. */
  readonly format?: string;
  readonly now?: number;
}

interface Row {
  entry: HistoryEntry;
  layer?: Descriptor;
}

const header: Readonly<Record<string, string>> = {
  ID: 'IMAGE',
  CreatedSince: 'CREATED',
  CreatedAt: 'CREATED AT',
  CreatedBy: 'CREATED BY',
  Size: 'SIZE',
  Comment: 'COMMENT',
};

/** NewHistoryFormat: the format a `--format` value (default `table`) stands for. */
export function historyFormat(source: string, quiet: boolean, human: boolean): string {
  if (source !== 'table') return source;
  if (quiet) return '{{.ID}}';
  const created = human ? '{{.CreatedSince}}' : '{{.CreatedAt}}';
  return `table {{.ID}}\t${created}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}`;
}

/** Times up to this one (2000-01-01) are shown without an age, as docker's history context does. */
const epoch = Date.UTC(2000, 0, 1);

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
    const human = opts.human ?? true;
    const trunc = !opts.noTrunc;
    const now = opts.now ?? Date.now();
    const format = historyFormat(opts.format || 'table', opts.quiet ?? false, human);
    // Layers are read only when the output shows a size (not for `-q`).
    const needSize = /Size|json|\$|\.(?![A-Za-z_])/.test(format);
    const contexts: GoStruct[] = [];
    for (const [i, row] of rows.entries()) {
      const size = row.layer && needSize ? await layerContentSize(store, row.layer) : 0;
      // The API carries whole seconds; an unknown time is 0.
      const created = Math.trunc((Date.parse(row.entry.created ?? '') || 0) / 1000) * 1000;
      const createdBy = (row.entry.created_by ?? '').replaceAll('\t', ' ');
      const createdAt = goRfc3339(created);
      const fields = {
        Comment: row.entry.comment ?? '',
        CreatedAt: createdAt,
        CreatedBy: trunc ? ellipsis(createdBy, 45) : createdBy,
        CreatedSince: !human ? createdAt : created <= epoch ? '' : `${humanDuration(now - created)} ago`,
        ID: i > 0 ? '<missing>' : trunc ? shortId(image.configDigest) : image.configDigest,
        Size: human ? humanSize(size) : String(size),
      };
      contexts.push(new GoStruct('*image.historyContext', fields, contextJson(fields), true));
    }
    return printRows(io, format, contexts, header) ? 0 : 1;
  });
}
