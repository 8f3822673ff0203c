// "Did you mean …?" the way BuildKit picks it (its suggest package): the first option at the smallest Levenshtein
// distance, and only below a distance of 3. The linter's and the planner's suggestions both, so that `build` and
// `build --check` suggest the same.

export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
    }
    previous = current;
  }
  return previous[b.length];
}

export interface Suggestion {
  /** The closest option, or null. */
  readonly match: string | null;
  /** The value is one of the options. */
  readonly exact: boolean;
}

/** BuildKit's `suggest.Search`. Case-insensitive search returns the option lower-cased. */
export function search(value: string, options: readonly string[], caseSensitive: boolean): Suggestion {
  const needle = caseSensitive ? value : value.toLowerCase();
  let match: string | null = null;
  let best = 3;
  for (const raw of options) {
    const option = caseSensitive ? raw : raw.toLowerCase();
    if (option === needle) return { match: option, exact: true };
    // The distance is at least the difference in length: skip the computation when that already loses.
    if (Math.abs(option.length - needle.length) >= best) continue;
    const distance = levenshtein(needle, option);
    if (distance < best) {
      best = distance;
      match = option;
    }
  }
  return { match, exact: false };
}

/**
 * BuildKit's `suggest.WrapError`: the message plus ` (did you mean X?)`, where a case-insensitive match
 * takes the case of the value as written when that is all lower or all upper case.
 */
export function withSuggestion(
  message: string,
  value: string,
  options: readonly string[],
  caseSensitive: boolean,
): string {
  const { match, exact } = search(value, options, caseSensitive);
  if (exact || match === null) return message;
  let shown = match;
  if (!caseSensitive) {
    const original = options.find((o) => o.toLowerCase() === match) ?? match;
    if (value === value.toLowerCase()) shown = original.toLowerCase();
    else if (value === value.toUpperCase()) shown = original.toUpperCase();
    else shown = original;
  }
  return `${message} (did you mean ${shown}?)`;
}
