// The .dockerignore matcher: moby/patternmatcher's `New`, `MatchesOrParentMatches` and
// `MatchesUsingParentResults`, plus the walk rule of tonistiigi/fsutil for descending into
// excluded directories.

import { BadPatternError, validateGlob } from './go-glob.js';
import { cleanPath, parentDir, trimGoSpace } from './go-path.js';
import type { IgnorePattern } from './ignore-file.js';
import { IgnorePatternMatcher } from './ignore-pattern.js';

/** A malformed pattern (a build error in Docker). `reason` is Go's exact error text. */
export class IgnorePatternError extends Error {
  readonly code = 'ERR_IGNORE_PATTERN';
  constructor(
    readonly reason: string,
    readonly pattern: string,
    readonly line: number | undefined,
  ) {
    super(line === undefined ? `${reason}: ${pattern}` : `line ${line}: ${reason}: ${pattern}`);
    this.name = 'IgnorePatternError';
  }
}

/** Per-pattern "matched this directory or an ancestor", carried down a walk. */
export type ParentMatchInfo = readonly boolean[];

// Characters that make an exception pattern "not a plain prefix" (fsutil `patternChars`).
const PATTERN_CHARS = /[*[\]?^\\]/;

function withoutTrailingGlob(p: string): string {
  let s = p;
  if (s.endsWith('/**')) s = s.slice(0, -3);
  if (s.endsWith('/*')) s = s.slice(0, -2);
  return s;
}

export class IgnoreMatcher {
  /** True when some pattern is an exception (`!…`). */
  readonly hasExclusions: boolean;
  private readonly onlyPrefixExceptions: boolean;
  private readonly noHits: ParentMatchInfo;

  constructor(readonly patterns: readonly IgnorePatternMatcher[]) {
    this.noHits = Object.freeze(new Array<boolean>(patterns.length).fill(false));
    this.hasExclusions = patterns.some((p) => p.exclusion);
    this.onlyPrefixExceptions = !patterns.some(
      (p) => p.exclusion && PATTERN_CHARS.test(withoutTrailingGlob(p.cleaned)),
    );
  }

  /**
   * Is `relPath` excluded (the path or one of its ancestors matched, exceptions applied)? This is
   * patternmatcher's `MatchesOrParentMatches` after cleaning the path; the context root `.` is
   * never excluded. `isDir` does not change the answer (a trailing `/` in a pattern is cleaned
   * away, so Docker does not distinguish files from directories). Throws `BadPatternError`.
   */
  matches(relPath: string, _isDir?: boolean): boolean {
    const file = cleanPath(relPath);
    if (file === '.') return false;
    const parent = parentDir(file);
    const ancestors = parent === '.' ? [] : prefixes(parent);
    let matched = false;
    for (const pattern of this.patterns) {
      if (pattern.exclusion !== matched) continue;
      let hit = pattern.match(file);
      if (!hit) hit = ancestors.some((a) => safeMatch(pattern, a));
      if (hit) matched = !pattern.exclusion;
    }
    return matched;
  }

  /**
   * The walker's incremental form (`MatchesUsingParentResults`): `parent` is the info returned
   * for the parent directory, or undefined for a top-level entry. Like upstream it only evaluates
   * patterns that could flip the state, so its answer can differ from `matches` (e.g. `a/b/c` +
   * `!a` excludes `a/b/c` here); BuildKit's context transfer uses this one.
   */
  matchWithParent(relPath: string, parent: ParentMatchInfo | undefined): { excluded: boolean; info: ParentMatchInfo } {
    const info = this.matchInfo(relPath, parent);
    return { excluded: this.excludedBy(info), info };
  }

  /**
   * `matchWithParent`'s info alone (`excludedBy` gives the answer). A path no pattern matched,
   * most of a large context, gets one shared array: nothing is allocated for it.
   */
  matchInfo(relPath: string, parent: ParentMatchInfo | undefined): ParentMatchInfo {
    const n = this.patterns.length;
    let info: boolean[] | undefined;
    let matched = false;
    const hasParent = parent !== undefined && parent.length > 0;
    for (let i = 0; i < n; i++) {
      const pattern = this.patterns[i];
      let hit = hasParent ? parent[i] : false;
      if (!hit) {
        if (pattern.exclusion !== matched) continue;
        hit = pattern.match(relPath);
        if (!hit && !hasParent) {
          const dir = parentDir(relPath);
          if (dir !== '.') hit = prefixes(dir).some((a) => safeMatch(pattern, a));
        }
      }
      if (hit) {
        info ??= new Array<boolean>(n).fill(false);
        info[i] = true;
        matched = !pattern.exclusion;
      }
    }
    return info ?? this.noHits;
  }

  /** Whether the info of `matchInfo` means excluded: the last pattern that matched decides. */
  excludedBy(info: ParentMatchInfo): boolean {
    for (let i = info.length - 1; i >= 0; i--) if (info[i]) return !this.patterns[i].exclusion;
    return false;
  }

  /** For an excluded directory: must the walker still look inside it (an exception may apply)? */
  shouldDescendExcluded(dirRelPath: string): boolean {
    if (!this.onlyPrefixExceptions) return true;
    if (!this.hasExclusions) return false;
    const dirSlash = dirRelPath + '/';
    return this.patterns.some((p) => p.exclusion && (withoutTrailingGlob(p.cleaned) + '/').startsWith(dirSlash));
  }
}

function prefixes(dir: string): string[] {
  const parts = dir.split('/');
  const out: string[] = [];
  for (let i = 1; i <= parts.length; i++) out.push(parts.slice(0, i).join('/'));
  return out;
}

// Upstream ignores errors while testing ancestors (the path itself was already tested).
function safeMatch(pattern: IgnorePatternMatcher, path: string): boolean {
  try {
    return pattern.match(path);
  } catch {
    return false;
  }
}

/** patternmatcher `New`: trims, cleans, validates; throws `IgnorePatternError`. */
export function compileIgnore(patterns: readonly (string | IgnorePattern)[]): IgnoreMatcher {
  const compiled: IgnorePatternMatcher[] = [];
  for (const entry of patterns) {
    const raw = typeof entry === 'string' ? entry : entry.pattern;
    const line = typeof entry === 'string' ? undefined : entry.line;
    let p = trimGoSpace(raw);
    if (p === '') continue;
    p = cleanPath(p);
    let exclusion = false;
    if (p.startsWith('!')) {
      if (p.length === 1) throw new IgnorePatternError('illegal exclusion pattern: "!"', raw, line);
      exclusion = true;
      p = p.slice(1);
    }
    try {
      validateGlob(p);
    } catch (err) {
      if (err instanceof BadPatternError) throw new IgnorePatternError(err.message, raw, line);
      throw err;
    }
    compiled.push(new IgnorePatternMatcher(p, exclusion));
  }
  return new IgnoreMatcher(compiled);
}
