// What a COPY/ADD writes: the selected entries of each source (context, a stage's or an image's
// filesystem, a heredoc, a download), each with the path it gets under the destination. Selection
// itself (wildcards, --exclude, --parents, symlinks followed inside the tree) is cache/'s
// `selectSources`, the same code that computes the checksums of the cache key.
import { lstat } from 'node:fs/promises';
import {
  type ContextEntry,
  type ContextSnapshot,
  checksumFailure,
  checksumStepFailure,
  EMPTY_DIGEST,
  type SelectableSnapshot,
  type SelectedEntry,
  selectSources,
  snapshotSubtrees,
} from '../../cache/index.js';
import { isInside, resolveInRoot } from '../../image/index.js';

export type CopyItemType = 'file' | 'dir' | 'symlink';

export interface CopyItem {
  /** Path under the destination, '' for the destination itself. */
  readonly to: string;
  readonly type: CopyItemType;
  /** Permission bits (0o7777). */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** Seconds since the epoch (fractional allowed). */
  readonly mtime: number;
  readonly linkTarget?: string;
  /** Absolute path to read a file's content from (opened with O_NOFOLLOW)… */
  readonly sourcePath?: string;
  /** …or the content itself. */
  readonly content?: Uint8Array;
}

export interface CopyGroup {
  /** One non-directory source: the destination may name the file itself. */
  readonly single: boolean;
  readonly items: readonly CopyItem[];
  /** Downloaded by ADD: never unpacked, even when it is an archive. */
  readonly download?: boolean;
  /** A wildcard that matched nothing: the copy makes nothing for it, not even the destination. */
  readonly unmatched?: true;
}

export class SourceNotFoundError extends Error {
  readonly code = 'E_SOURCE';
  /** `message`, and what the step's progress line says (BuildKit's vertex error, without the solver's prefix). */
  constructor(
    message: string,
    readonly stepMessage = message,
  ) {
    super(message);
  }

  /** A source missing from `ref` in BuildKit's words (cache's checksumFailure): `cause` is `"/x": not found`. */
  static checksum(ref: string, cause: string): SourceNotFoundError {
    return new SourceNotFoundError(checksumFailure(ref, cause), checksumStepFailure(ref, cause));
  }
}

export interface TreeSelection {
  readonly snapshot: ContextSnapshot;
  /** The context resets owners to 0:0; a stage or image keeps them. */
  readonly keepOwners: boolean;
  /** Whether selection may compute checksums (the context: already computed by the planner). */
  readonly checksums: boolean;
  /** The ref id a missing source's error names (`stage::1`, `image::busybox`): BuildKit's words, checksumFailure. */
  readonly ref?: string;
}

/** Selects `sources` in a tree; each source is one group (BuildKit copies them one by one). */
export async function selectGroups(
  tree: TreeSelection,
  sources: readonly string[],
  options: { excludes: readonly string[]; parents: boolean },
): Promise<CopyGroup[]> {
  const result = await selectSources(tree.checksums ? tree.snapshot : withoutDigests(tree.snapshot), sources, {
    excludes: options.excludes,
    parents: options.parents,
  });
  if (result.errors.length > 0) {
    const cause = result.errors[0];
    if (tree.ref === undefined) throw new SourceNotFoundError(cause);
    throw SourceNotFoundError.checksum(tree.ref, cause);
  }
  const groups = result.matches.map(async (match) => {
    const selector = match.wildcard ? match.selector : null;
    const perEntry = await Promise.all(
      match.entries.map(async (selected) => ({
        // A wildcard's own match (not something inside a matched directory).
        top: selector !== null && depthOf(selected.from) === depthOf(selector),
        items: await itemOf(tree, selected, selector),
      })),
    );
    return { match, perEntry };
  });
  return (await Promise.all(groups)).flatMap(({ match, perEntry }) => {
    const items = perEntry.flatMap((e) => e.items);
    if (match.wildcard && match.includePatterns.length === 0 && options.excludes.length === 0)
      return wildcardGroups(perEntry);
    const single =
      !match.wildcard &&
      match.includePatterns.length === 0 &&
      options.excludes.length === 0 &&
      items.length === 1 &&
      items[0].type !== 'dir' &&
      items[0].to !== '';
    return [{ single: single || (match.wildcard && items.length === 1 && items[0].type !== 'dir'), items }];
  });
}

const depthOf = (p: string): number => p.split('/').filter((part) => part !== '').length;

/**
 * Each match of a wildcard is copied on its own, as BuildKit's file operation copies them one after the other: to
 * a destination without a trailing `/`, a matched file is that file (the last one wins), a matched directory's
 * content goes into it. A wildcard that matched nothing is one empty group (nothing is copied).
 */
function wildcardGroups(perEntry: readonly { top: boolean; items: readonly CopyItem[] }[]): CopyGroup[] {
  const out: CopyItem[][] = [];
  for (const entry of perEntry) {
    if (entry.top || out.length === 0) out.push([...entry.items]);
    else out[out.length - 1].push(...entry.items);
  }
  if (out.length === 0) return [{ single: false, items: [], unmatched: true }];
  return out.map((items) => ({ single: items.length === 1 && items[0].type !== 'dir', items }));
}

/**
 * The groups of `paths` in the tree of a stage or an image (mounted at `viewRoot`): owners kept, no checksums.
 * The copy writes them, and a COPY --from=<stage> is keyed by their content (copy-content.ts). `ref`: the tree's
 * ref id (treeRefId), which a missing source's error names.
 */
export async function selectInTree(
  viewRoot: string,
  op: { readonly excludes: readonly string[]; readonly parents: boolean },
  paths: readonly string[],
  ref?: string,
): Promise<CopyGroup[]> {
  // Only what the sources can select is walked (cache/context/subtree.ts), not the whole stage root.
  const snapshot = await snapshotSubtrees(viewRoot, paths, { parents: op.parents });
  const selection = { excludes: op.excludes, parents: op.parents };
  const tree = { snapshot, keepOwners: true, checksums: false, ...(ref === undefined ? {} : { ref }) };
  return selectGroups(tree, paths, selection);
}

/** The ref id of the tree a COPY --from reads: `stage::INDEX` or `image::REF`. */
export function treeRefId(
  from: { readonly type: 'stage'; readonly index: number } | { readonly type: 'image'; readonly ref: string },
): string {
  return from.type === 'stage' ? `stage::${from.index}` : `image::${from.ref}`;
}

/** `wildcard`: the selector of a wildcard source (`/sub/l*`), whose direct matches are followed. */
async function itemOf(tree: TreeSelection, selected: SelectedEntry, wildcard: string | null): Promise<CopyItem[]> {
  const entry: ContextEntry | undefined = selected.entry;
  const depth = (p: string) => p.split('/').filter((part) => part !== '').length;
  if (wildcard !== null && entry?.type === 'symlink' && depth(selected.from) === depth(wildcard)) {
    // A symlink the wildcard itself matched is followed (inside the tree), like a named source;
    // symlinks inside a matched directory are copied as links.
    const followed = await followedFile(tree, selected);
    if (followed !== null) return [followed];
  }
  if (entry === undefined) {
    // The tree's root: only the destination directory itself, created with default metadata.
    return [];
  }
  const owner = tree.keepOwners ? { uid: entry.uid, gid: entry.gid } : { uid: 0, gid: 0 };
  const base = { to: selected.to, mode: entry.mode & 0o7777, ...owner, mtime: entry.mtimeMs / 1000 };
  switch (entry.type) {
    case 'dir':
      return [{ ...base, type: 'dir' }];
    case 'symlink':
      return [{ ...base, type: 'symlink', linkTarget: entry.linkTarget ?? '' }];
    case 'file':
      return [{ ...base, type: 'file', sourcePath: tree.snapshot.absolutePath(selected.from) }];
    default:
      // Sockets, fifos and devices arrive as empty regular files, as BuildKit's context transfer does.
      return [{ ...base, type: 'file', content: new Uint8Array(0) }];
  }
}

async function followedFile(tree: TreeSelection, selected: SelectedEntry): Promise<CopyItem | null> {
  const root = tree.snapshot.root;
  const target = await resolveInRoot(root, selected.from, true);
  if (!isInside(root, target)) return null;
  const st = await lstat(target).catch(() => null);
  if (st === null || !st.isFile()) return null;
  const owner = tree.keepOwners ? { uid: st.uid, gid: st.gid } : { uid: 0, gid: 0 };
  return {
    to: selected.to,
    type: 'file',
    mode: st.mode & 0o7777,
    ...owner,
    mtime: st.mtimeMs / 1000,
    sourcePath: target,
  };
}

/**
 * A stage's or image's tree for selection only: the copy needs no checksums (the key of a COPY
 * --from=<stage> hashes the selected items, copy-content.ts), so nothing is hashed here. The context keeps its digests, which the
 * planner computed already.
 */
function withoutDigests(snapshot: ContextSnapshot): SelectableSnapshot {
  return {
    get: (p) => snapshot.get(p),
    children: (p) => snapshot.children(p),
    entryDigest: async () => EMPTY_DIGEST,
    contentDigest: async () => EMPTY_DIGEST,
  };
}

/** A heredoc source: a file named after the delimiter, mode 0644 (BuildKit's default). */
export function inlineGroup(name: string, content: string, mtime: number): CopyGroup {
  return {
    single: true,
    items: [{ to: name, type: 'file', mode: 0o644, uid: 0, gid: 0, mtime, content: Buffer.from(content, 'utf8') }],
  };
}
