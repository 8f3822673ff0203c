// Public types of the shell-word lexer (a port of the semantics of BuildKit's frontend/dockerfile/shell/lex.go).

export interface ShellLexOptions {
  /** The Dockerfile escape character; default `\`. */
  escapeChar?: '\\' | '`';
  /** Keep quote characters in the output (BuildKit `RawQuotes`). */
  rawQuotes?: boolean;
  /** Keep escape characters in the output (BuildKit `RawEscapes`). */
  rawEscapes?: boolean;
  /** Leave references to unset variables as written (BuildKit `SkipUnsetEnv`). */
  skipUnsetEnv?: boolean;
  /** Treat quotes as ordinary characters (BuildKit `SkipProcessQuotes`). */
  skipProcessQuotes?: boolean;
  /**
   * expandWords only. BuildKit (lex.go since its shared `wordsBuffer`) clears the word being built whenever a
   * `${name<op>word}` starts reading its word, so `a${X:-b}c` splits to `[bc]` there, not `[abc]`. Off by
   * default (the documented behaviour); turn on to reproduce BuildKit's EXPOSE results exactly.
   */
  emulateWordBufferReset?: boolean;
}

/** A lookup function: `undefined` means "not set" (an empty string is "set but empty"). */
export type ShellEnvLookup = (name: string) => string | undefined;

/**
 * Variables visible to the word. A list holds `K=V` entries: split at the first `=`, an entry without `=`
 * defines `K` as empty, a later entry wins. Keys are case-sensitive (Linux semantics).
 */
export type ShellEnv =
  | ReadonlyMap<string, string>
  | Readonly<Record<string, string>>
  | readonly string[]
  | ShellEnvLookup;

export type ExpandResult =
  | { ok: true; value: string; matched: ReadonlySet<string>; unmatched: ReadonlySet<string> }
  | { ok: false; error: string };

export type ExpandWordsResult =
  | { ok: true; words: string[]; matched: ReadonlySet<string>; unmatched: ReadonlySet<string> }
  | { ok: false; error: string };

/** One `$name` / `${name…}` in a word. Offsets are UTF-16 indices into the word, ends exclusive. */
export interface ShellVariableReference {
  readonly name: string;
  /** From the `$` to just past the reference (the closing `}` included when there is one). */
  readonly start: number;
  readonly end: number;
  /** The name alone. */
  readonly nameStart: number;
  readonly nameEnd: number;
  /** The operator after the name in `${name…}`: `:-` `-` `:+` `+` `:?` `?` `#` `%` `/` (also for `##` `%%` `//`), else null. */
  readonly modifier: string | null;
}

/** Outcome of one internal expansion step: errors are values. */
export type Outcome = { ok: true; value: string } | { ok: false; error: string };
