// Reading a .dockerignore file into patterns, as moby/patternmatcher/ignorefile.ReadAll does.

import { cleanPath, trimGoSpace } from './go-path.js';

/** One pattern as read from an ignore file; `line` is 1-based. */
export interface IgnorePattern {
  readonly pattern: string;
  readonly line: number;
}

/** Parses .dockerignore text: comments, trimming, `!` exceptions, path cleaning. */
export function parseIgnoreFile(text: string): IgnorePattern[] {
  const out: IgnorePattern[] = [];
  const lines = text.split('\n');
  // A trailing newline does not start another (empty) line; empty lines are skipped anyway.
  for (let n = 0; n < lines.length; n++) {
    let line = lines[n];
    if (n === 0 && line.startsWith('\uFEFF')) line = line.slice(1);
    if (line.startsWith('#')) continue;
    let pattern = trimGoSpace(line);
    if (pattern === '') continue;
    const invert = pattern.startsWith('!');
    if (invert) pattern = trimGoSpace(pattern.slice(1));
    if (pattern.length > 0) {
      pattern = cleanPath(pattern);
      if (pattern.length > 1 && pattern.startsWith('/')) pattern = pattern.slice(1);
    }
    out.push({ pattern: invert ? '!' + pattern : pattern, line: n + 1 });
  }
  return out;
}
