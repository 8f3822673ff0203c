// FROM: the base name and --platform expanded with the global args only, then classified as
// `scratch`, an earlier stage, or an image reference (normalised as Docker does).

import { normalizeReference } from '../image/index.js';
import type { Diagnostic } from '../parser/index.js';
import type { EnvList } from './env-list.js';
import { PlanError, warning } from './errors.js';
import { expandWord } from './expand.js';
import { parsePlatform } from './platform.js';
import { type StageDef, findBaseStage } from './stages.js';
import type { Platform } from './types.js';

export type BaseRef =
  | { readonly type: 'scratch' }
  | { readonly type: 'stage'; readonly index: number }
  | { readonly type: 'image'; readonly ref: string };

export interface FromInfo {
  readonly base: BaseRef;
  /** `--platform`, when given. */
  readonly platform: Platform | null;
}

export function resolveFrom(
  stages: readonly StageDef[],
  stage: StageDef,
  globals: EnvList,
  escapeChar: '\\' | '`',
  diagnostics: Diagnostic[],
): FromInfo {
  const from = stage.from;
  for (const f of from.flags) {
    if (f.name !== 'platform') throw new PlanError('unknown-flag', `unknown flag: --${f.name}`, f.range);
  }
  if (from.image === null) throw new PlanError('missing-arguments', 'FROM requires either one or three arguments', from.range);
  const name = expandGlobal(from.image.value, globals, escapeChar, from.image.range, diagnostics);
  if (name === '') throw new PlanError('blank-base', `base name (${from.image.value}) should not be blank`, from.range);
  let platform: Platform | null = null;
  const platformFlag = from.flags.find((f) => f.name === 'platform');
  if (platformFlag !== undefined) {
    const raw = platformFlag.value ?? '';
    const text = expandGlobal(raw, globals, escapeChar, platformFlag.range, diagnostics);
    if (text === '') throw new PlanError('empty-platform', `empty platform value from expression ${raw}`, platformFlag.range);
    platform = parsePlatform(text);
    if (platform === null) throw new PlanError('invalid-platform', `failed to parse platform ${raw}`, platformFlag.range);
  }
  if (name === 'scratch') return { base: { type: 'scratch' }, platform };
  const parent = findBaseStage(stages, stage.index, name);
  if (parent !== null) return { base: { type: 'stage', index: parent.index }, platform };
  let ref: string;
  try {
    ref = normalizeReference(name);
  } catch (error) {
    throw new PlanError('invalid-reference', `failed to parse stage name ${JSON.stringify(name)}: ${(error as Error).message}`, from.image.range);
  }
  return { base: { type: 'image', ref }, platform };
}

function expandGlobal(text: string, globals: EnvList, escapeChar: '\\' | '`', range: StageDef['from']['range'], diagnostics: Diagnostic[]): string {
  try {
    const result = expandWord(text, globals, { escapeChar });
    for (const name of result.unmatched) {
      diagnostics.push(warning('UndefinedArgInFrom', `FROM argument '${name}' is not declared`, range));
    }
    return result.value;
  } catch (error) {
    throw new PlanError('expansion-failed', (error as Error).message, range);
  }
}
