// Helpers every step planner uses: expansion with UndefinedVar warnings, flag access and validation.

import { checksumFailure, checksumStepFailure, contextRefId } from '../../cache/index.js';
import { type Flag, flagProblem, type Instruction, type Range, search, type Word } from '../../parser/index.js';
import type { ContextSource, SourceChecksum, SourceSelectionOptions } from '../build-sources.js';
import type { Canonical } from '../cache-key.js';
import { PlanError, warning } from '../errors.js';
import { expandWord } from '../expand.js';
import type { ConfigChange } from '../image-config.js';
import type { StepContext } from '../stage-state.js';
import type { StepInput, StepOperation } from '../types.js';

/** What a step planner returns; `plan.ts` turns it into a PlanStep with its cache key. */
export interface StepDraft {
  readonly args: readonly string[];
  readonly inputs: readonly StepInput[];
  readonly operation: StepOperation;
  /** Present for steps that change the filesystem: hashed with the parent key into the step's key. */
  readonly layer?: { readonly definition: { readonly [key: string]: Canonical }; readonly link: boolean };
  /** Present for steps that change the image config. */
  readonly configChange?: ConfigChange;
  /**
   * The key takes content only the executor can read (PlanStep.keyPending): another stage's (a mount, COPY
   * --from), or a download's (ADD <url> without --checksum).
   */
  readonly keyedByContent?: boolean;
  /** COPY/ADD: the words their history records after the flags (PlanStep.historyArgs). */
  readonly historyArgs?: readonly string[];
}

/** Expands one word in the stage environment, reporting variables that are not defined. */
export function expand(ctx: StepContext, text: string, range: Range, skipQuotes = false): string {
  let result: ReturnType<typeof expandWord>;
  try {
    result = expandWord(text, ctx.state.env, { escapeChar: skipQuotes ? '\\' : ctx.escapeChar, skipQuotes });
  } catch (error) {
    throw new PlanError('expansion-failed', (error as Error).message, range);
  }
  reportUndefined(ctx, result.unmatched, range);
  return result.value;
}

/**
 * The argument an instruction's planner needs, which checkSyntax (syntax.ts) has already refused to be missing with
 * BuildKit's message (argumentProblem): null here is tsbuild's bug, never the Dockerfile's.
 */
export function checkedArgument<T>(value: T | null, instr: Instruction): T {
  if (value === null) throw new Error(`internal error: ${instr.keyword.value} was planned without its argument`);
  return value;
}

export function expandWordNode(ctx: StepContext, word: Word): string {
  return expand(ctx, word.value, word.range);
}

function reportUndefined(ctx: StepContext, unmatched: readonly string[], range: Range): void {
  const declared = new Set(ctx.state.args.map((a) => a.key));
  for (const name of unmatched) {
    if (declared.has(name)) continue;
    const { match } = search(name, ctx.state.env.keys(), true);
    const hint = match === null ? '' : ` (did you mean $${match}?)`;
    ctx.diagnostics.push(warning('UndefinedVar', `Usage of undefined variable '$${name}'${hint}`, range));
  }
}

/**
 * Rejects the instruction's flags as BuildKit's BFlags.Parse does (`unknown flag: --mont (did you mean mount?)`,
 * `duplicate flag specified: --link`, …): the parser's `flagProblem`, which the linter's `--check` judges by too.
 * `at`: the instruction's range, for an instruction no dispatcher locates its parse errors at (FROM).
 */
export function checkFlags(instruction: Instruction, at?: Range): void {
  const problem = flagProblem(instruction);
  if (problem === null) return;
  throw new PlanError(problem.code, problem.message, problem.flag.range, at);
}

export function flag(instruction: Instruction, name: string): Flag | null {
  let found: Flag | null = null;
  for (const f of instruction.flags) if (f.name === name) found = f;
  return found;
}

export function flags(instruction: Instruction, name: string): Flag[] {
  return instruction.flags.filter((f) => f.name === name);
}

/** `--link` / `--link=true` / `--link=false`. */
export function boolFlag(instruction: Instruction, name: string): boolean {
  const f = flag(instruction, name);
  if (f === null) return false;
  if (f.value === null || f.value === '' || f.value.toLowerCase() === 'true') return true;
  if (f.value.toLowerCase() === 'false') return false;
  throw new PlanError('invalid-flag', `expecting boolean value for flag --${name}, not: ${f.value}`, f.range);
}

export function stringFlag(ctx: StepContext | null, instruction: Instruction, name: string): string | null {
  const f = flag(instruction, name);
  if (f === null) return null;
  const value = f.value ?? '';
  return ctx === null ? value : expand(ctx, value, f.valueRange ?? f.range);
}

/** A source's checksum from the context; a file that cannot be read fails the step that uses it. */
export async function contextChecksum(
  ctx: StepContext,
  source: string,
  options: SourceSelectionOptions,
  range: Range,
  named?: { readonly name: string; readonly source: ContextSource },
): Promise<SourceChecksum> {
  try {
    return await (named?.source ?? ctx.context).checksum(source, options);
  } catch (error) {
    const reason = (error as Error).message;
    const context = named === undefined ? 'the build context' : `the build context ${JSON.stringify(named.name)}`;
    throw new PlanError(
      'context-unreadable',
      `cannot read ${JSON.stringify(source)} from ${context}: ${reason}`,
      range,
    );
  }
}

/**
 * A source the build context (or the named context `named`) does not hold, in BuildKit's words: the step's cache key
 * needs its content checksum (cache's checksumFailure).
 */
export function sourceNotFound(missing: string, range: Range, named?: { readonly name: string }): PlanError {
  const shown = missing.startsWith('/') ? missing : `/${missing}`;
  const [ref, cause] = [contextRefId(named?.name), `"${shown}": not found`];
  const error = new PlanError('source-not-found', checksumFailure(ref, cause), range);
  error.stepMessage = checksumStepFailure(ref, cause);
  return error;
}
