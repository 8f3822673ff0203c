// Source selection for COPY/ADD from the build context, with BuildKit's rules: sources are
// rooted and cleaned (so `..` and absolute paths stay inside the context), symlinks are resolved
// inside the snapshot, wildcards use Go's path.Match, `--exclude` and `--parents` become
// exclude/include patterns, and each source gets BuildKit's content checksum for the cache key.

import { createHash } from 'node:crypto';
import { combinedSourcesDigest, EMPTY_DIGEST, selectorDigest } from './checksum.js';
import type { ContextEntry } from './entry.js';
import { cleanPath } from './go-path.js';
import { compileIgnore } from './ignore-matcher.js';
import { containsWildcards, type IncludedPath, includedPaths, type TreeView } from './included-paths.js';
import { resolveInSnapshot } from './resolve.js';

export interface SelectOptions {
  /** `COPY --exclude` patterns (.dockerignore syntax, relative to each source). */
  readonly excludes?: readonly string[];
  /** `COPY --parents`: keep the source's parent directories (pivot with `/./`). */
  readonly parents?: boolean;
  /** Follow symlinks named by a source (Dockerfile COPY/ADD do; default true). */
  readonly followSymlinks?: boolean;
}

/** What a snapshot must offer for selection and checksums. */
export interface SelectableSnapshot extends TreeView {
  entryDigest(relPath: string): Promise<string>;
  contentDigest(relPath: string): Promise<string>;
}

export interface SelectedEntry {
  /** The snapshot path to copy from ('' = the context root). */
  readonly from: string;
  readonly entry: ContextEntry | undefined;
  /** Path relative to the destination; '' is the destination itself (a directory's own header). */
  readonly to: string;
}

export interface SourceSelection {
  /** The source as written in the Dockerfile. */
  readonly source: string;
  /** BuildKit's selector path: rooted and clean, e.g. "/src/*.go". */
  readonly selector: string;
  readonly wildcard: boolean;
  readonly includePatterns: readonly string[];
  readonly entries: readonly SelectedEntry[];
  /** BuildKit's content checksum of this source (`sha256:…`). */
  readonly digest: string;
}

export interface SelectResult {
  readonly matches: readonly SourceSelection[];
  /** One message per missing source, BuildKit's short form: `"/x": not found`. */
  readonly errors: readonly string[];
  /** The selector digest of the source input (sorted, reversed, NUL-joined selector paths). */
  readonly selectorDigest: string;
  /** The combined content digest over the deduplicated selectors; null when there are errors. */
  readonly contentDigest: string | null;
}

interface Selector {
  readonly source: string;
  readonly path: string;
  readonly wildcard: boolean;
  readonly include: readonly string[];
  /** `--parents` without wildcards: this rooted path must exist (BuildKit's RequiredPaths). */
  readonly required?: string;
}

/** The Dockerfile frontend's rewrite of one COPY source into a selector. */
function toSelector(source: string, parents: boolean): Selector {
  let src = source;
  let include: string[] = [];
  if (parents) {
    const pivot = src.indexOf('/./');
    let pattern: string;
    if (pivot < 0) {
      pattern = src;
      src = '/';
    } else {
      pattern = src.slice(pivot + 3);
      src = src.slice(0, pivot);
    }
    const normalized = cleanPath('/' + pattern);
    include = [normalized.replace(/^\//, '')];
    if (!containsWildcards(src) && !containsWildcards(normalized)) {
      const required = cleanPath(`/${src}/${normalized}`);
      const path = cleanPath('/' + src);
      return { source, path, wildcard: containsWildcards(path), include, required };
    }
  }
  const path = cleanPath('/' + src);
  return { source, path, wildcard: containsWildcards(path), include };
}

const base = (p: string): string => (p === '/' ? '/' : p.slice(p.lastIndexOf('/') + 1));

/** Everything below `rel`, each `to` its path below `rel`: the snapshot path minus its first `cut` characters. */
function dirContents(view: TreeView, rel: string, cut: number, out: SelectedEntry[]): void {
  for (const c of view.children(rel)) {
    out.push({ from: c.path, entry: c, to: cut === 0 ? c.path : c.path.slice(cut) });
    if (c.type === 'dir') dirContents(view, c.path, cut, out);
  }
}

async function selectPlain(
  snap: SelectableSnapshot,
  sel: Selector,
  follow: boolean,
): Promise<SourceSelection | string> {
  const rel = resolveInSnapshot(snap, sel.path, follow);
  if (rel === undefined) return `${JSON.stringify(sel.path)}: not found`;
  const entry = rel === '' ? undefined : snap.get(rel);
  const entries: SelectedEntry[] = [];
  if (rel === '' || entry?.type === 'dir') {
    entries.push({ from: rel, entry, to: '' });
    dirContents(snap, rel, rel === '' ? 0 : rel.length + 1, entries);
  } else entries.push({ from: rel, entry, to: base(sel.path) });
  const digest = await snap.contentDigest(rel);
  return { source: sel.source, selector: sel.path, wildcard: false, includePatterns: [], entries, digest };
}

async function selectFiltered(
  snap: SelectableSnapshot,
  sel: Selector,
  excludes: readonly string[],
  follow: boolean,
): Promise<SourceSelection> {
  const included = includedPaths(snap, sel.path, {
    wildcard: sel.wildcard,
    include: sel.include.length > 0 ? compileIgnore(sel.include) : null,
    exclude: excludes.length > 0 ? compileIgnore(excludes) : null,
  });
  const digests = await Promise.all(included.map((w) => filteredDigest(snap, w, follow)));
  let digest: string;
  if (included.length === 0) digest = EMPTY_DIGEST;
  else if (included.length === 1 && base(sel.path) === base(included[0].path)) digest = digests[0];
  else {
    const h = createHash('sha256');
    included.forEach((w, i) => {
      if (i > 0) h.update('\0');
      h.update(base(w.path)).update(digests[i]);
    });
    digest = 'sha256:' + h.digest('hex');
  }
  const entries = included.map(({ from, entry, to }) => ({ from, entry, to }));
  return {
    source: sel.source,
    selector: sel.path,
    wildcard: sel.wildcard,
    includePatterns: sel.include,
    entries,
    digest,
  };
}

/** Header digests for directories; with FollowLinks a symlink counts as its target's checksum. */
async function filteredDigest(snap: SelectableSnapshot, w: IncludedPath, follow: boolean): Promise<string> {
  if (follow && w.entry?.type === 'symlink') {
    const target = resolveInSnapshot(snap, w.path, true);
    // Upstream fails on a dangling link here; we keep the link's own digest instead.
    if (target !== undefined) return snap.contentDigest(target);
  }
  return snap.entryDigest(w.from);
}

/** BuildKit's `dedupeSelectors`: drop plain paths inside other plain paths, sort by path. */
function dedupe(selectors: readonly Selector[]): Selector[] {
  const filtered = (s: Selector) => s.wildcard || s.include.length > 0;
  const plain = [...new Set(selectors.filter((s) => !filtered(s)).map((s) => s.path))];
  const kept = plain.filter((p1) => !plain.some((p2) => p1 !== p2 && p1.startsWith(p2 + '/')));
  const bySelector = new Map<string, Selector>();
  for (const s of selectors)
    if (filtered(s) || kept.includes(s.path)) bySelector.set(`${s.path}\0${s.include.join('\0')}`, s);
  return [...bySelector.values()].sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
}

/** Selects the context entries that COPY/ADD `sources` refer to, with BuildKit's checksums. */
export async function selectSources(
  snap: SelectableSnapshot,
  sources: readonly string[],
  opts: SelectOptions = {},
): Promise<SelectResult> {
  const follow = opts.followSymlinks ?? true;
  const excludes = opts.excludes ?? [];
  const selectors = sources.map((s) => toSelector(s, opts.parents ?? false));
  const results = new Map<Selector, SourceSelection>();
  const errors: string[] = [];
  for (const sel of selectors) {
    const filtered = sel.wildcard || sel.include.length > 0 || excludes.length > 0;
    let r: SourceSelection | string;
    const mustExist = sel.required ?? (sel.wildcard ? undefined : sel.path);
    if (!filtered) r = await selectPlain(snap, sel, follow);
    else if (mustExist !== undefined && resolveInSnapshot(snap, mustExist, follow) === undefined) {
      // Upstream's checksum is then the empty digest and the copy itself fails: report it now.
      r = `${JSON.stringify(mustExist)}: not found`;
    } else r = await selectFiltered(snap, sel, excludes, follow);
    if (typeof r === 'string') errors.push(r);
    else results.set(sel, r);
  }
  let contentDigest: string | null = null;
  if (errors.length === 0) {
    const ordered = dedupe(selectors).map((s) => results.get(s)!.digest);
    contentDigest = combinedSourcesDigest(ordered);
  }
  return {
    matches: selectors.flatMap((s) => (results.has(s) ? [results.get(s)!] : [])),
    errors,
    // BuildKit keeps selectors in a map: identical ones count once.
    selectorDigest: selectorDigest([...new Set(selectors.map((s) => s.path))]),
    contentDigest,
  };
}
