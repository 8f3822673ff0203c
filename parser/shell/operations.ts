// What the `${name<op>word}` operators do with a value once the word is read: mandatory-variable errors,
// prefix/suffix trimming and pattern substitution, with BuildKit's error texts.
import { findShellPattern, replaceAllShellPattern, replaceFirstShellPattern } from './matcher.js';
import { fail, ok } from './outcome.js';
import { compileShellPattern, reverseCodePoints, reverseShellPattern } from './pattern.js';
import type { Outcome } from './types.js';

/** BuildKit's text for a failed `${name?message}` / `${name:?message}`. */
export function mandatoryVariableMessage(name: string, message: string, problem: 'unset' | 'empty'): string {
  return `${name}: ${message !== '' ? message : `is not allowed to be ${problem}`}`;
}

export function trimPrefix(pattern: string, value: string, greedy: boolean): Outcome {
  const compiled = compileShellPattern(pattern, greedy, true);
  if (!compiled.ok) return fail(`invalid pattern (${pattern}) in substitution: ${compiled.error}`);
  const match = findShellPattern(compiled.pattern, value);
  return ok(match === null ? value : value.slice(match[1]));
}

/** The shortest/longest suffix is the shortest/longest prefix of the reversed value and pattern. */
export function trimSuffix(pattern: string, value: string, greedy: boolean): Outcome {
  const trimmed = trimPrefix(reverseShellPattern(pattern), reverseCodePoints(value), greedy);
  return trimmed.ok ? ok(reverseCodePoints(trimmed.value)) : trimmed;
}

/** `${v/p/r}` (first match, `r` literal) and `${v//p/r}` (all matches, Go `ReplaceAllString`). */
export function replacePattern(pattern: string, value: string, replacement: string, all: boolean): Outcome {
  const compiled = compileShellPattern(pattern, true, false);
  if (!compiled.ok) return fail(`invalid pattern (${pattern}) in substitution: ${compiled.error}`);
  return ok(
    all
      ? replaceAllShellPattern(compiled.pattern, value, replacement)
      : replaceFirstShellPattern(compiled.pattern, value, replacement),
  );
}
