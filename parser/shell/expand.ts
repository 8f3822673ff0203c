// Public entry points: ProcessWord, ProcessWords and reference scanning. Pure functions that never throw.
import { toEnvLookup } from './env.js';
import { goQuote } from './go-quote.js';
import { type LexerSettings, ShellWordEngine } from './lexer.js';
import type {
  ExpandResult,
  ExpandWordsResult,
  Outcome,
  ShellEnv,
  ShellEnvLookup,
  ShellLexOptions,
  ShellVariableReference,
} from './types.js';
import { WordSplitter } from './words.js';

function settingsFrom(options: ShellLexOptions, collectOnly: boolean): LexerSettings {
  return {
    escape: options.escapeChar === '`' ? 0x60 : 0x5c,
    rawQuotes: options.rawQuotes === true,
    rawEscapes: options.rawEscapes === true,
    skipUnsetEnv: options.skipUnsetEnv === true,
    skipProcessQuotes: options.skipProcessQuotes === true,
    emulateWordBufferReset: options.emulateWordBufferReset === true,
    collectOnly,
  };
}

/** Runs the engine; an exception (a throwing env lookup, a string too long for the engine) becomes an error value. */
function runSafely(engine: ShellWordEngine, words: WordSplitter | null): Outcome {
  try {
    return engine.run(words);
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

function prepare(word: string, env: ShellEnv, options: ShellLexOptions): ShellWordEngine | string {
  try {
    return new ShellWordEngine(word, toEnvLookup(env), settingsFrom(options, false));
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

const failure = (word: string, error: string) => ({
  ok: false as const,
  error: `failed to process ${goQuote(word)}: ${error}`,
});

/**
 * BuildKit `ProcessWord` / `ProcessWordWithMatches`: quotes removed, escapes processed, variables expanded, no
 * word splitting. `matched` / `unmatched` are the variables looked up and found / not found.
 * Errors read as BuildKit's: `failed to process "<word>": <reason>`.
 */
export function expandWord(word: string, env: ShellEnv, options: ShellLexOptions = {}): ExpandResult {
  const engine = prepare(word, env, options);
  if (typeof engine === 'string') return failure(word, engine);
  const outcome = runSafely(engine, null);
  if (!outcome.ok) return failure(word, outcome.error);
  return { ok: true, value: outcome.value, matched: engine.matched, unmatched: engine.unmatched };
}

/**
 * BuildKit `ProcessWords`: like `expandWord`, then split into words on whitespace that came from unquoted,
 * unescaped text or from unquoted `$` expansions; empty words are dropped.
 */
export function expandWords(word: string, env: ShellEnv, options: ShellLexOptions = {}): ExpandWordsResult {
  const engine = prepare(word, env, options);
  if (typeof engine === 'string') return failure(word, engine);
  const splitter = new WordSplitter();
  const outcome = runSafely(engine, splitter);
  if (!outcome.ok) return failure(word, outcome.error);
  return { ok: true, words: splitter.finish(), matched: engine.matched, unmatched: engine.unmatched };
}

const unset: ShellEnvLookup = () => undefined;

/**
 * The variables a word references, in source order, with exact offsets: every name BuildKit looks up while
 * expanding the word (nested references in `${a:-$b}` included, positional and special parameters too:
 * `$1` gives the name `1`). References inside single quotes or escaped `\$` are not references. On a syntax
 * error the references before it are returned. Mandatory-variable checks never stop the scan.
 */
export function variableReferences(word: string, options: ShellLexOptions = {}): ShellVariableReference[] {
  const engine = new ShellWordEngine(word, unset, settingsFrom({ ...options, skipUnsetEnv: false }, true));
  runSafely(engine, null);
  return engine.references.slice().sort((a, b) => a.start - b.start || a.nameStart - b.nameStart);
}
