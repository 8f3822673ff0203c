// Variable expansion of one Dockerfile word with the parser's BuildKit shell lexer, plus every variable
// reference with its offsets in the raw word (so rules can point at `$FOO` exactly) and whether it is set.
import { expandWord as shellExpand, variableReferences } from '../parser/index.js';

export type Lookup = (name: string) => string | undefined;

export interface VariableReference {
  readonly name: string;
  /** Offsets in the raw word: from `$` to just past the reference (`}` included). */
  readonly start: number;
  readonly end: number;
  /** The modifier after the name in `${name…}` (`:-`, `-`, `:+`, `#`, `%`, `/` …) or null. */
  readonly modifier: string | null;
  readonly defined: boolean;
}

export interface Expansion {
  /** The expanded word; the raw word when expansion failed. */
  readonly value: string;
  readonly references: VariableReference[];
  /** BuildKit's error text for a malformed word (`failed to process …`), or null. */
  readonly error: string | null;
}

/** Expands one word (quotes removed, escapes processed, unset variables empty), as BuildKit's ProcessWord. */
export function expandWord(raw: string, lookup: Lookup, escapeChar = '\\'): Expansion {
  if (!raw.includes('$')) {
    // The common case: nothing to look up, only quotes and escapes to process.
    if (!/["'\\`]/.test(raw)) return { value: raw, references: [], error: null };
  }
  const options = { escapeChar: escapeChar === '`' ? ('`' as const) : ('\\' as const) };
  const result = shellExpand(raw, lookup, options);
  const references = raw.includes('$')
    ? variableReferences(raw, options).map((r) => ({
        name: r.name,
        start: r.start,
        end: r.end,
        modifier: r.modifier,
        defined: lookup(r.name) !== undefined,
      }))
    : [];
  return result.ok ? { value: result.value, references, error: null } : { value: raw, references, error: result.error };
}

/** Only the expanded value (one lexer pass instead of two); the raw word when expansion fails. */
export function expandValue(raw: string, lookup: Lookup, escapeChar = '\\'): string {
  if (!raw.includes('$') && !/["'\\`]/.test(raw)) return raw;
  const result = shellExpand(raw, lookup, { escapeChar: escapeChar === '`' ? '`' : '\\' });
  return result.ok ? result.value : raw;
}

/** The variable references of a raw word, without expanding it (cheaper when only names matter). */
export function referencesIn(raw: string, escapeChar: string = '\\'): { name: string; start: number; end: number }[] {
  if (!raw.includes('$')) return [];
  return variableReferences(raw, { escapeChar: escapeChar === '`' ? '`' : '\\' });
}

/** Splits raw text at unquoted whitespace, as BuildKit's `ProcessWords` does before expanding each word. */
export function splitWords(raw: string, escapeChar = '\\'): { text: string; start: number }[] {
  const words: { text: string; start: number }[] = [];
  let quote: string | null = null;
  let start = -1;
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i];
    if (quote === null && /\s/.test(ch)) {
      if (start >= 0) words.push({ text: raw.slice(start, i), start });
      start = -1;
      continue;
    }
    if (start < 0) start = i;
    if (ch === escapeChar && quote !== "'") i++;
    else if (quote === null && (ch === '"' || ch === "'")) quote = ch;
    else if (ch === quote) quote = null;
  }
  if (start >= 0) words.push({ text: raw.slice(start), start });
  return words;
}
