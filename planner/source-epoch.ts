// SOURCE_DATE_EPOCH as BuildKit resolves it (dockerfile2llb/epoch.go): whole seconds; empty for none;
// `context` (a local context has no date: none); or the name of a "source-only" stage, whose single
// remote ADD dates the build: the HTTP Last-Modified, else the newest mtime of the archive's files; for a
// git repository, the committer time of the commit its ref resolves to.
// The download is the caller's (`PlanDeps.sourceEpoch`, `PlanDeps.git`): the planner does no I/O of its own.

import type { AddInstruction, Instruction } from '../parser/index.js';
import type { GitResolver, SourceEpochResolver } from './build-sources.js';
import type { EnvList } from './env-list.js';
import { PlanError } from './errors.js';
import { expandWord } from './expand.js';
import { type GitRef, GitRefError, isHttpSource, parseGitRef } from './git-ref.js';
import { type GitFlags, resolveGitSource } from './git-source.js';
import type { StageDef } from './stages.js';

export interface EpochScope {
  readonly buildArgs: Readonly<Record<string, string>>;
  readonly globals: EnvList;
  readonly stages: readonly StageDef[];
  readonly escapeChar: '\\' | '`';
  readonly resolver: SourceEpochResolver | undefined;
  /** Resolves the ref of a git source. */
  readonly git?: GitResolver;
}

/** The raw value: the --build-arg, else the global ARG; undefined when neither sets it. */
export function rawEpoch(scope: Pick<EpochScope, 'buildArgs' | 'globals'>): string | undefined {
  return Object.hasOwn(scope.buildArgs, 'SOURCE_DATE_EPOCH')
    ? scope.buildArgs.SOURCE_DATE_EPOCH
    : scope.globals.get('SOURCE_DATE_EPOCH');
}

/** The epoch in seconds, or null for none; throws PlanError for a value that names nothing usable. */
export async function resolveEpoch(value: string, scope: EpochScope): Promise<number | null> {
  if (value === '' || value === 'context') return null;
  // Go's strconv.ParseInt: an optional sign, decimal digits.
  if (/^[+-]?[0-9]+$/.test(value)) return Number(value);
  const stage = scope.stages.find((s) => s.name !== null && s.name.toLowerCase() === value.toLowerCase());
  if (stage === undefined) throw new PlanError('invalid-epoch', `invalid SOURCE_DATE_EPOCH: ${value}`);
  const source = sourceOf(stage, scope);
  const resolver = scope.resolver;
  if (resolver === undefined) return null;
  try {
    if (source.kind === 'http') return await resolver.httpEpoch(source.url, source.checksum);
    if (resolver.gitEpoch === undefined) return null;
    const planned = await resolveGitSource(source.url, source.ref, source.flags, scope.git);
    return await resolver.gitEpoch(planned.checkout);
  } catch (error) {
    throw new PlanError('epoch-source', (error as Error).message, stage.from.range);
  }
}

type RemoteSource =
  | { readonly kind: 'http'; readonly url: string; readonly checksum: string | null }
  | { readonly kind: 'git'; readonly url: string; readonly ref: GitRef; readonly flags: GitFlags };

/** The stage's one remote ADD, when the stage is source-only; errors point at its FROM. */
function sourceOf(stage: StageDef, scope: EpochScope): RemoteSource {
  const fail = (message: string): never => {
    throw new PlanError('epoch-stage', message, stage.from.range);
  };
  // The stage's own lookups do not see the value being resolved.
  let env = scope.globals.delete('SOURCE_DATE_EPOCH');
  const base = stage.from.image === null ? '' : expandIn(stage.from.image.value, env, scope, fail);
  if (base !== 'scratch') fail('SOURCE_DATE_EPOCH stage must use FROM scratch');
  let source: RemoteSource | null = null;
  for (const instr of stage.instructions) {
    if (instr.kind === 'arg') {
      env = stageArgs(instr, env, scope, fail);
    } else if (instr.kind === 'add') {
      if (source !== null) fail('SOURCE_DATE_EPOCH stage must contain exactly one remote ADD');
      source = addSource(instr, env, scope, fail);
    } else {
      fail(`SOURCE_DATE_EPOCH stage does not meet source-only requirements: unsupported ${name(instr)} instruction`);
    }
  }
  if (source === null) return fail('SOURCE_DATE_EPOCH stage must contain exactly one remote ADD');
  return source;
}

/** BuildKit's `cmd.Name()`: the lower-case keyword. */
function name(instr: Instruction): string {
  return instr.keyword.value.toLowerCase();
}

function stageArgs(
  instr: Extract<Instruction, { kind: 'arg' }>,
  env: EnvList,
  scope: EpochScope,
  fail: (m: string) => never,
): EnvList {
  let next = env;
  for (const decl of instr.declarations) {
    const key = decl.name.value;
    if (Object.hasOwn(scope.buildArgs, key)) next = next.set(key, scope.buildArgs[key]);
    else if (decl.defaultValue !== null) next = next.set(key, expandIn(decl.defaultValue.value, next, scope, fail));
  }
  return next;
}

function addSource(instr: AddInstruction, env: EnvList, scope: EpochScope, fail: (m: string) => never): RemoteSource {
  if (instr.heredocs.length > 0 || instr.sources.length !== 1)
    fail('SOURCE_DATE_EPOCH stage must contain exactly one remote ADD source');
  const url = expandIn(instr.sources[0].value, env, scope, fail);
  const lastFlag = (name: string) => instr.flags.filter((f) => f.name === name).pop();
  const checksumFlag = lastFlag('checksum');
  const checksum = checksumFlag === undefined ? null : expandIn(checksumFlag.value ?? '', env, scope, fail);
  const keepFlag = lastFlag('keep-git-dir');
  if (keepFlag === undefined && isHttpSource(url)) {
    return { kind: 'http', url, checksum: checksum === '' ? null : checksum };
  }
  let ref: GitRef | null;
  try {
    ref = parseGitRef(url);
  } catch (error) {
    if (error instanceof GitRefError) return fail(error.message);
    throw error;
  }
  if (ref !== null && !ref.indistinguishableFromLocal) {
    const keep = keepFlag?.value?.toLowerCase();
    const keepGitDir = keepFlag === undefined ? null : keep === undefined || keep === '' || keep === 'true';
    return { kind: 'git', url, ref, flags: { keepGitDir, checksum: checksum === '' ? null : checksum } };
  }
  return fail('SOURCE_DATE_EPOCH stage source must be a single HTTP(S) or Git ADD');
}

function expandIn(word: string, env: EnvList, scope: EpochScope, fail: (m: string) => never): string {
  try {
    return expandWord(word, env, { escapeChar: scope.escapeChar }).value;
  } catch (error) {
    return fail((error as Error).message);
  }
}
