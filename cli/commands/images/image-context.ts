// docker's image context (cli/command/formatter/image.go) for one row of `tsbuild images`: the fields a
// `--format` template reads, and the column names of a table's header.
import { GoStruct } from '../../template/index.js';
import type { CatalogEntry } from './catalog.js';
import { contextJson } from './format.js';
import { humanDuration, humanSize, shortId } from './human.js';
import { goTimeString } from './local-time.js';
import { repositoryAndTag } from './table.js';

export const imagesHeader: Readonly<Record<string, string>> = {
  ID: 'IMAGE ID',
  Repository: 'REPOSITORY',
  Tag: 'TAG',
  Digest: 'DIGEST',
  CreatedSince: 'CREATED',
  CreatedAt: 'CREATED AT',
  Size: 'SIZE',
  Containers: 'CONTAINERS',
  VirtualSize: 'SIZE',
  SharedSize: 'SHARED SIZE',
  UniqueSize: 'UNIQUE SIZE',
};

export interface RowContext {
  /** IDs cut to 12 hex digits (no --no-trunc). */
  readonly trunc: boolean;
  /** --digests. */
  readonly digests: boolean;
  /** --digests, or a format that reads {{.Digest}}: tagged rows show their digest. */
  readonly needDigest: boolean;
  readonly now: number;
}

/** Go's zero time, as time.Unix(zero.Unix(), 0).String() prints it. */
const zeroTimeString = '0001-01-01 00:00:00 +0000 UTC';

export function imageRow(entry: CatalogEntry, size: number | undefined, ctx: RowContext): GoStruct {
  const [repository, tag] = repositoryAndTag(entry.familiar);
  let digest = '<none>';
  if (entry.familiar?.includes('@')) digest = ctx.digests ? entry.topDigest : '';
  else if (entry.familiar !== undefined && ctx.needDigest) digest = entry.topDigest;
  const id = entry.image?.configDigest ?? entry.topDigest;
  const created = Date.parse(entry.image?.config.created ?? '');
  const known = !Number.isNaN(created);
  const fields = {
    Containers: 'N/A',
    CreatedAt: known ? goTimeString(created) : zeroTimeString,
    CreatedSince: known ? `${humanDuration(ctx.now - created)} ago` : '',
    Digest: digest,
    ID: ctx.trunc ? shortId(id) : id,
    Repository: repository,
    SharedSize: 'N/A',
    Size: size === undefined ? 'N/A' : humanSize(size),
    Tag: tag,
    UniqueSize: 'N/A',
    VirtualSize: size === undefined ? 'N/A' : humanSize(size, 4),
  };
  return new GoStruct('*formatter.imageContext', fields, contextJson(fields), true);
}
