// BuildKit's `includedPaths` (cache/contenthash/checksum.go): which entries a COPY source with
// wildcards or include/exclude patterns selects, in tree order, with the headers of their parent
// directories. Our snapshot's walk order is BuildKit's radix-tree key order.

import type { ContextEntry } from './entry.js';
import { goMatch } from './go-glob.js';
import { cleanPath } from './go-path.js';
import type { IgnoreMatcher, ParentMatchInfo } from './ignore-matcher.js';
import { resolveInSnapshot } from './resolve.js';

export interface TreeView {
  get(relPath: string): ContextEntry | undefined;
  children(dirPath: string): readonly ContextEntry[];
}

export interface IncludedPath {
  /** Path as BuildKit names it: rooted, with the unresolved source prefix ("/src/a.go"). */
  readonly path: string;
  /** The snapshot entry's path ('' = context root). */
  readonly from: string;
  readonly entry: ContextEntry | undefined;
  /** Path relative to the copy destination ('' = the destination itself). */
  readonly to: string;
}

interface Visit extends IncludedPath {
  includeInfo?: ParentMatchInfo;
  excludeInfo?: ParentMatchInfo;
  included: boolean;
  isDirHeader: boolean;
}

export interface SelectionPatterns {
  readonly wildcard: boolean;
  readonly include: IgnoreMatcher | null;
  readonly exclude: IgnoreMatcher | null;
}

/** `path.Join(p1...)` split at the first component holding a wildcard. */
export function splitWildcards(p: string): [string, string] {
  const parts = cleanPath(p).split('/');
  const p1: string[] = [];
  const p2: string[] = [];
  let found = false;
  for (const part of parts) {
    if (!found && containsWildcards(part)) found = true;
    (found ? p2 : p1).push(part === '' ? '/' : part);
  }
  const join = (xs: string[]): string => (xs.length === 0 ? '' : cleanPath(xs.join('/')));
  return [join(p1), join(p2)];
}

export function containsWildcards(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const ch = name[i];
    if (ch === '\\') i++;
    else if (ch === '*' || ch === '?' || ch === '[') return true;
  }
  return false;
}

const isDirEntry = (view: TreeView, rel: string): boolean => rel === '' || view.get(rel)?.type === 'dir';

/** Depth-first tree order from `rel` (its own record first), as the radix tree iterates. */
function* subtree(view: TreeView, rel: string): Generator<string> {
  yield rel;
  if (!isDirEntry(view, rel)) return;
  for (const c of view.children(rel)) yield* subtree(view, c.path);
}

const base = (p: string): string => {
  if (p === '') return '.';
  const t = p.replace(/\/+$/, '');
  return t === '' ? '/' : t.slice(t.lastIndexOf('/') + 1);
};

/** BuildKit's selection for rooted clean path `p` (e.g. "/src/*.go"). */
export function includedPaths(view: TreeView, p: string, opts: SelectionPatterns): IncludedPath[] {
  const key = p === '/' ? '' : p; // BuildKit keyPath: the root is ""
  let origPrefix: string;
  let resolvedPrefix = '';
  let start: string | undefined;
  if (opts.wildcard) {
    const [d1, d2] = splitWildcards(key);
    if (d1 === '/') {
      origPrefix = '';
      start = '';
    } else {
      origPrefix = d1;
      start = resolveInSnapshot(view, d1, d2 !== '');
    }
  } else {
    origPrefix = key;
    start = resolveInSnapshot(view, key === '' ? '/' : key, false);
  }
  if (start === undefined) return [];
  if (origPrefix !== '') resolvedPrefix = start === '' ? '' : '/' + start;
  // Upstream seeks past the start key itself, so a non-directory start selects nothing; we keep
  // the file so that its content is part of the key (see the report: deliberate deviation).
  const startIsDir = isDirEntry(view, start);

  const out: Visit[] = [];
  const parents: Visit[] = [];
  let lastMatchedDir = '';
  let matchedIsDir = true;
  for (const rel of subtree(view, start)) {
    let fn = rel === '' ? '' : '/' + rel;
    // Name entries by the source as written (before symlink resolution), like upstream.
    if (origPrefix !== '') fn = origPrefix + fn.slice(resolvedPrefix.length);
    while (parents.length > 0 && !fn.startsWith(parents[parents.length - 1].path + '/')) parents.pop();
    const parent = parents[parents.length - 1];
    const entry = rel === '' ? undefined : view.get(rel);
    const isDirHeader = isDirEntry(view, rel);
    let candidate: string;
    let to: string;
    if (opts.wildcard) {
      if (key !== '' && (lastMatchedDir === '' || !fn.startsWith(lastMatchedDir + '/'))) {
        if (!goMatch(key, fn)) continue;
        lastMatchedDir = fn;
        matchedIsDir = isDirHeader;
      }
      candidate = trimRel(fn, lastMatchedDir);
      to = matchedIsDir ? candidate : base(lastMatchedDir);
    } else {
      if (!(fn + '/').startsWith(key + '/')) break;
      candidate = trimRel(fn, key);
      to = startIsDir ? candidate : base(key);
    }
    const visit: Visit = { path: fn, from: rel, entry, to, included: false, isDirHeader };
    const include = shouldInclude(candidate, opts, visit, parent) || (!startIsDir && rel === start);
    if (!include && !isDirHeader) continue;
    if (include) {
      for (const d of parents) {
        if (!d.included) {
          out.push(d);
          d.included = true;
        }
      }
      out.push(visit);
      visit.included = true;
    }
    if (isDirHeader) parents.push(visit);
  }
  return out.map(({ path, from, entry, to }) => ({ path, from, entry, to }));
}

function trimRel(fn: string, prefix: string): string {
  const withSlash = fn + '/';
  const pre = prefix + '/';
  const rest = withSlash.startsWith(pre) ? withSlash.slice(pre.length) : withSlash;
  return rest.endsWith('/') ? rest.slice(0, -1) : rest;
}

function shouldInclude(candidate: string, opts: SelectionPatterns, visit: Visit, parent: Visit | undefined): boolean {
  if (opts.include) {
    const r = opts.include.matchWithParent(candidate, parent?.includeInfo);
    visit.includeInfo = r.info;
    if (!r.excluded) return false;
  }
  if (opts.exclude) {
    const r = opts.exclude.matchWithParent(candidate, parent?.excludeInfo);
    visit.excludeInfo = r.info;
    if (r.excluded) return false;
  }
  return true;
}
