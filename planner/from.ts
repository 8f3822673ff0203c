// FROM: the base name and --platform expanded with the global args only, then classified as
// `scratch`, an earlier stage, a named context (`--build-context`) or an image reference (normalised as
// Docker does). A named context with the stage's own name replaces the whole stage (BuildKit's
// buildDispatchStates): its FROM line and instructions are not used.

import { normalizeReference } from '../image/index.js';
import { type Diagnostic, search } from '../parser/index.js';
import type { NamedContext } from './build-sources.js';
import type { EnvList } from './env-list.js';
import { PlanError, warning } from './errors.js';
import { expandWord } from './expand.js';
import type { Platform } from './image-config.js';
import { findContext } from './named-contexts.js';
import { parsePlatform } from './platform.js';
import { findBaseStage, type StageDef } from './stages.js';

export type BaseRef =
  | { readonly type: 'scratch' }
  | { readonly type: 'stage'; readonly index: number }
  | { readonly type: 'image'; readonly ref: string }
  /** A local named context, by its normalised name. */
  | { readonly type: 'context'; readonly name: string };

export interface FromInfo {
  readonly base: BaseRef;
  /** `--platform`, when given. */
  readonly platform: Platform | null;
  /** A named context of the stage's name replaces the stage: none of its instructions is planned. */
  readonly replaced?: true;
}

/** The global scope FROM lines see: values, and every ARG declared before the first FROM. */
export interface GlobalScope {
  readonly values: EnvList;
  readonly declared: ReadonlySet<string>;
}

export function resolveFrom(
  stages: readonly StageDef[],
  stage: StageDef,
  globals: GlobalScope,
  escapeChar: '\\' | '`',
  diagnostics: Diagnostic[],
  contexts: ReadonlyMap<string, NamedContext> = new Map(),
): FromInfo {
  const from = stage.from;
  // Its arguments and flags were checked in source order with every instruction (stages.ts splitStages).
  if (from.image === null)
    throw new PlanError('missing-arguments', 'FROM requires either one or three arguments', from.range, from.range);
  const name = expandGlobal(from.image.value, globals, escapeChar, from.image.range, diagnostics).value;
  if (name === '') throw new PlanError('blank-base', `base name (${from.image.value}) should not be blank`, from.range);
  const platformFlag = from.flags.find((f) => f.name === 'platform');
  const platform =
    platformFlag === undefined ? null : fromPlatform(platformFlag.value ?? '', globals, escapeChar, from, diagnostics);
  const replacement = stage.name === null ? null : findContext(contexts, stage.name);
  if (replacement !== null)
    return { base: contextBase(replacement.name, replacement.context), platform, replaced: true };
  if (name === 'scratch') return { base: { type: 'scratch' }, platform };
  const parent = findBaseStage(stages, stage.index, name);
  if (parent !== null) return { base: { type: 'stage', index: parent.index }, platform };
  let ref: string;
  try {
    ref = normalizeReference(name);
  } catch (error) {
    throw new PlanError(
      'invalid-reference',
      `failed to parse stage name ${JSON.stringify(name)}: ${(error as Error).message}`,
      from.image.range,
    );
  }
  const named = findContext(contexts, name);
  if (named !== null) return { base: contextBase(named.name, named.context), platform };
  return { base: { type: 'image', ref }, platform };
}

/** The base a named context gives: another image (or scratch), or a local directory. */
function contextBase(name: string, context: NamedContext): BaseRef {
  if (context.type === 'local') return { type: 'context', name };
  return context.ref === 'scratch' ? { type: 'scratch' } : { type: 'image', ref: context.ref };
}

/** `FROM --platform=…`, expanded; errors as BuildKit words them (with containerd's reasons). */
function fromPlatform(
  raw: string,
  globals: GlobalScope,
  escapeChar: '\\' | '`',
  from: StageDef['from'],
  diagnostics: Diagnostic[],
): Platform {
  const { value: text, hint } = expandGlobal(raw, globals, escapeChar, from.range, diagnostics);
  if (text === '')
    throw new PlanError('empty-platform', `empty platform value from expression ${raw}${hint}`, from.range);
  const bad = text.split('/').find((part) => !/^[A-Za-z0-9_.-]+$/.test(part));
  if (bad !== undefined) {
    const reason = `${JSON.stringify(bad)} is an invalid component of ${JSON.stringify(text)}: platform specifier component must match "^[A-Za-z0-9_.-]+$": invalid argument`;
    throw new PlanError('invalid-platform', `failed to parse platform ${raw}: ${reason}${hint}`, from.range);
  }
  const platform = parsePlatform(text);
  if (platform === null) {
    const reason = 'unknown operating system or architecture: invalid argument';
    throw new PlanError('invalid-platform', `failed to parse platform ${raw}: ${reason}${hint}`, from.range);
  }
  return platform;
}

/** Expands with the global args; `hint` is BuildKit's "(did you mean …?)" for the first undeclared name. */
function expandGlobal(
  text: string,
  globals: GlobalScope,
  escapeChar: '\\' | '`',
  range: StageDef['from']['range'],
  diagnostics: Diagnostic[],
): { value: string; hint: string } {
  let result: ReturnType<typeof expandWord>;
  try {
    result = expandWord(text, globals.values, { escapeChar });
  } catch (error) {
    throw new PlanError('expansion-failed', (error as Error).message, range);
  }
  const known = [...new Set([...globals.declared, ...globals.values.keys()])];
  let hint = '';
  for (const name of result.unmatched) {
    if (known.includes(name)) continue;
    const { match } = search(name, known, true);
    const suffix = match === null ? '' : ` (did you mean ${match}?)`;
    if (hint === '') hint = suffix;
    diagnostics.push(warning('UndefinedArgInFrom', `FROM argument '${name}' is not declared${suffix}`, range));
  }
  return { value: result.value, hint };
}
