// Variable expansion as the planner uses it: one word in, one word out, plus the names that were
// referenced but not defined (for the UndefinedVar warning). The lexer is BuildKit's, from parser/shell.

import { expandWord as lexWord } from '../parser/index.js';

export interface EnvLookup {
  get(key: string): string | undefined;
}

export interface Expansion {
  readonly value: string;
  /** Names that were referenced and defined (BuildKit's `Matched`: what the outline marks as used). */
  readonly matched: readonly string[];
  readonly unmatched: readonly string[];
}

export interface ExpandOptions {
  readonly escapeChar: '\\' | '`';
  /** Quotes are literal text (heredoc bodies, BuildKit's `SkipProcessQuotes`). */
  readonly skipQuotes?: boolean;
}

/** Throws an Error with the lexer's message (`failed to process "…": FOO: custom error`) when the word is invalid. */
export function expandWord(word: string, env: EnvLookup, options: ExpandOptions): Expansion {
  const result = lexWord(word, (name) => env.get(name), {
    escapeChar: options.escapeChar,
    skipProcessQuotes: options.skipQuotes === true,
  });
  if (!result.ok) throw new Error(result.error);
  return { value: result.value, matched: [...result.matched], unmatched: [...result.unmatched] };
}
