// The part of `.dockerignore` semantics CopyIgnoredFile needs (conformance/dockerignore/SEMANTICS.md
// sections 2–4): reading the file, and whether a path or one of its ancestors matches a pattern.

export interface IgnorePatterns {
  readonly patterns: readonly string[];
  readonly hasExceptions: boolean;
}

/** Go's `filepath.Clean` for slash paths. */
export function cleanPath(path: string): string {
  const rooted = path.startsWith('/');
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(part);
  }
  const joined = out.join('/');
  if (rooted) return `/${joined}`;
  return joined === '' ? '.' : joined;
}

export function readIgnoreFile(text: string): IgnorePatterns {
  const patterns: string[] = [];
  let hasExceptions = false;
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  for (const raw of lines) {
    if (raw.startsWith('#')) continue;
    let line = raw.trim();
    if (line === '') continue;
    let exception = false;
    if (line.startsWith('!')) {
      exception = true;
      line = line.slice(1).trim();
    }
    if (line !== '') {
      line = cleanPath(line);
      if (line.length > 1 && line.startsWith('/')) line = line.slice(1);
    }
    if (exception) hasExceptions = true;
    else if (line !== '') patterns.push(line);
  }
  return { patterns, hasExceptions };
}

const compiled = new Map<string, RegExp | null>();

/** The anchored regular expression of a pattern (table of section 3); null for a malformed pattern. */
function patternRegExp(pattern: string): RegExp | null {
  const cached = compiled.get(pattern);
  if (cached !== undefined) return cached;
  let source = '^';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '*' && pattern[i + 1] === '*') {
      i++;
      if (pattern[i + 1] === '/') {
        i++;
        source += '(.*/)?';
      } else source += i + 1 === pattern.length ? '.*' : '(.*/)?';
    } else if (ch === '*') source += '[^/]*';
    else if (ch === '?') source += '[^/]';
    else if (ch === '\\' && i + 1 < pattern.length) source += `\\${pattern[++i]}`;
    else if ('.+()|{}$'.includes(ch)) source += `\\${ch}`;
    else source += ch;
  }
  let result: RegExp | null;
  try {
    result = new RegExp(`${source}$`, 'u');
  } catch {
    result = null;
  }
  compiled.set(pattern, result);
  return result;
}

/** Whether a context path (slash-separated, relative) is excluded by non-exception patterns. */
export function isIgnored(patterns: readonly string[], path: string): boolean {
  const parts = path.split('/');
  for (const pattern of patterns) {
    const regexp = patternRegExp(pattern);
    if (!regexp) continue;
    let candidate = '';
    for (const part of parts) {
      candidate = candidate === '' ? part : `${candidate}/${part}`;
      if (regexp.test(candidate)) return true;
    }
  }
  return false;
}
