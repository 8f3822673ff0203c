// Calls of named programs (`apt-get`, `apk`, `pip` …) in a list of simple commands, and the questions the
// package-manager rules ask of them. Flags are read as hadolint reads them: `--name=value` is the flag `name`,
// `-abc` the flags `a`, `b` and `c`; `-` and `--` are not flags.
import { commandWords, type ShellToken, type SimpleCommand } from '../../shell-commands.js';

export interface ProgramCall {
  /** The program word as written (`apt-get`, `pip3`). */
  readonly program: ShellToken;
  /** The words after it. */
  readonly args: ShellToken[];
  /** The first argument that is not a flag (`install`), or null. */
  readonly subcommand: string | null;
}

/** Calls whose program name passes `accepts` (a name or a test), wrappers and assignments skipped. */
export function programCalls(commands: SimpleCommand[], accepts: string | ((name: string) => boolean)): ProgramCall[] {
  const test = typeof accepts === 'string' ? (name: string) => name === accepts : accepts;
  const calls: ProgramCall[] = [];
  for (const command of commands) {
    const words = commandWords(command);
    if (words.length === 0 || !test(words[0].text)) continue;
    const args = words.slice(1);
    const subcommand = args.find((w) => !isFlagWord(w.text))?.text ?? null;
    calls.push({ program: words[0], args, subcommand });
  }
  return calls;
}

function isFlagWord(text: string): boolean {
  return text.startsWith('-') && text !== '-' && text !== '--';
}

/** The flag names of one word: `--no-cache=x` → [`no-cache`], `-yq` → [`y`, `q`], `pkg` → []. */
export function flagNames(text: string): string[] {
  if (!isFlagWord(text)) return [];
  if (text.startsWith('--')) return [text.slice(2).split('=')[0]];
  return [...text.slice(1)];
}

/** Whether the call has one of the flags (`hasFlag(call, 'y', 'yes')`). */
export function hasFlag(call: ProgramCall, ...names: string[]): boolean {
  return call.args.some((a) => flagNames(a.text).some((f) => names.includes(f)));
}

/** How often a flag is given (`-qq` counts twice). */
export function countFlag(call: ProgramCall, name: string): number {
  let count = 0;
  for (const a of call.args) for (const f of flagNames(a.text)) if (f === name) count++;
  return count;
}

/** Whether one of the arguments is exactly one of `values` (hadolint's `cmdHasArgs`). */
export function hasArg(call: ProgramCall, ...values: string[]): boolean {
  return call.args.some((a) => values.includes(a.text));
}

/**
 * The values given to a flag that takes one: `-u 1000`, `-u1000`, `--uid=1000`, `--uid 1000` (`names` are the
 * short and long spellings). A short flag inside a cluster takes the rest of the word, or the next word.
 */
export function flagValues(call: ProgramCall, ...names: string[]): ShellToken[] {
  return valuesAndIndexes(call, names).map(([value]) => value);
}

function valuesAndIndexes(call: ProgramCall, names: readonly string[]): [ShellToken, number][] {
  const out: [ShellToken, number][] = [];
  const args = call.args;
  for (let i = 0; i < args.length; i++) {
    const text = args[i].text;
    if (!isFlagWord(text)) continue;
    const next = args[i + 1];
    if (text.startsWith('--')) {
      const eq = text.indexOf('=');
      const name = text.slice(2, eq < 0 ? undefined : eq);
      if (!names.includes(name)) continue;
      if (eq >= 0) out.push([{ ...args[i], text: text.slice(eq + 1) }, -1]);
      else if (next) out.push([next, i + 1]);
      continue;
    }
    for (let j = 1; j < text.length; j++) {
      if (!names.includes(text[j])) continue;
      if (j < text.length - 1) out.push([{ ...args[i], text: text.slice(j + 1) }, -1]);
      else if (next) out.push([next, i + 1]);
      break;
    }
  }
  return out;
}

/** The arguments that are neither flags nor the values of `valueFlags` (the packages of `apk add -t x a b`). */
export function operands(call: ProgramCall, ...valueFlags: string[]): ShellToken[] {
  const taken = new Set(valuesAndIndexes(call, valueFlags).map(([, index]) => index));
  return call.args.filter((a, i) => !taken.has(i) && !isFlagWord(a.text) && a.text !== '-' && a.text !== '--');
}
