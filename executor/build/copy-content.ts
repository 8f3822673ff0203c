// The content digest of what a COPY --from=<stage> reads from the stage's result, which completes its key
// (content-key.ts) as BuildKit's contenthash does: a stage that re-ran but left the copied files as they were
// keeps the COPY and everything after it cached. The selection is the copy's own (copy-items.ts
// `selectInTree`: wildcards, several sources, directory contents, --exclude, --parents, followed symlinks),
// so the digest covers exactly the items the copy writes: their paths under the destination, type, mode,
// owner, link target and bytes, and how each source lands (`single`). Timestamps and extended attributes are
// left out, as in mount-content.ts. The digest is a pure function of the layers' diff_ids and the selection,
// so it is remembered under `cache/copy-content/` (content-memo.ts): a cached build reads no layer data.
import { createHash } from 'node:crypto';
import type { Store } from '../../image/index.js';
import { MISSING, rememberedDigest } from './content-memo.js';
import { type CopyGroup, type CopyItem, SourceNotFoundError, selectInTree } from './copy-items.js';
import { eventLoopTurns, fileContentDigest } from './file-content-hash.js';
import type { FsState } from './layer-ref.js';
import { type ReadViews, readView } from './read-views.js';

/** What a COPY selects in a stage: its sources and the flags that narrow them. */
export interface CopySelection {
  readonly sources: readonly string[];
  readonly excludes: readonly string[];
  readonly parents: boolean;
}

const VERSION = 'tsbuild.copy-content.v1';

/**
 * `rememberedOnly`: only a remembered digest is taken (content-memo.ts); nothing is read or mounted. `views`: the
 * build's shared views, which the copy itself reads next.
 */
export async function copyContentDigest(
  store: Store,
  fs: FsState,
  selection: CopySelection,
  rememberedOnly = false,
  views?: ReadViews,
): Promise<string> {
  const { sources, excludes, parents } = selection;
  const what = { v: VERSION, layers: fs.layers.map((l) => l.diffId), sources, excludes, parents };
  return rememberedDigest(store, 'copy-content', what, rememberedOnly, () =>
    readView(store, views, fs, async (root) => {
      try {
        return groupsDigest(await selectInTree(root, { excludes, parents }, sources));
      } catch (error) {
        if (error instanceof SourceNotFoundError) return MISSING;
        throw error;
      }
    }),
  );
}

/** The digest of the groups a copy writes, in the order it writes them. */
export async function groupsDigest(groups: readonly CopyGroup[]): Promise<string> {
  const hash = createHash('sha256').update(VERSION);
  const turn = eventLoopTurns();
  for (const group of groups) {
    const kind = group.single ? 'single' : 'tree';
    // An unmatched wildcard makes nothing where an empty tree makes the destination: keyed apart.
    hash.update(JSON.stringify({ group: group.unmatched === true ? 'unmatched' : kind, items: group.items.length }));
    for (const item of group.items) {
      const { to, type, mode, uid, gid } = item;
      const content = await itemContent(item, turn);
      hash.update(`\n${JSON.stringify({ to, type, mode, uid, gid, link: item.linkTarget ?? null, content })}`);
    }
  }
  return `sha256:${hash.digest('hex')}`;
}

async function itemContent(item: CopyItem, turn: (blockingBytes: number) => Promise<void>): Promise<string | null> {
  if (item.type !== 'file') return null;
  // The path the copy reads: a regular file in the read-only view (a followed symlink is resolved inside it),
  // opened as the copy opens it, never through a symlink.
  if (item.content === undefined && item.sourcePath !== undefined) {
    const { hex, blockingBytes } = await fileContentDigest(item.sourcePath);
    await turn(blockingBytes);
    return hex;
  }
  return createHash('sha256')
    .update(item.content ?? new Uint8Array(0))
    .digest('hex');
}
