// Planning the steps of one stage: its starting state (scratch, image config or parent stage),
// ONBUILD triggers, then its instructions; each step gets its cache key here (cache-key.ts rules):
//   layer step:  key = H(parent fs key, definition, platform)       (COPY --link: no parent)
//   config step: key = H(fs key, config digest), config digest = H(previous digest, change)
// so a config-only change never alters the key of a later filesystem step.

import { normalizeReference } from '../image/index.js';
import type { Diagnostic, Instruction, Range } from '../parser/index.js';
import type { ContextSource, GitResolver, NamedContext } from './build-sources.js';
import { type Canonical, canonicalise, chainKey, sha256 } from './cache-key.js';
import { contextBaseStep } from './context-stage.js';
import { PlanError } from './errors.js';
import { failedStepName, failedTriggerName } from './failed-step.js';
import type { FromInfo } from './from.js';
import type { BaseImageResolver, ImageConfig, Platform, ResolvedImage } from './image-config.js';
import { findContext } from './named-contexts.js';
import { formatPlatform } from './platform.js';
import { argStrings, finalConfig, inheritState, initialState, type SourceRef, type StageState } from './stage-state.js';
import { findSourceStage, type StageDef, stageLabel } from './stages.js';
import { stepTitle } from './step-title.js';
import { type ArgScope, planInstruction, type StepDraft } from './steps/index.js';
import { checkSyntax } from './steps/syntax.js';
import type { BuildNetwork, BuildRunOptions, PlanStage, PlanStep, StageBase } from './types.js';

export interface DispatchEnv {
  readonly stages: readonly StageDef[];
  readonly froms: readonly FromInfo[];
  readonly targetPlatform: Platform;
  readonly escapeChar: '\\' | '`';
  readonly epoch: number | null;
  readonly proxyEnv: readonly string[];
  readonly network: BuildNetwork;
  readonly run: BuildRunOptions;
  readonly argScope: ArgScope;
  readonly context: ContextSource;
  readonly git?: GitResolver;
  /** `--build-context` values by normalised name. */
  readonly namedContexts: ReadonlyMap<string, NamedContext>;
  readonly resolver: BaseImageResolver;
  readonly diagnostics: Diagnostic[];
  /** Final states of the stages planned so far. */
  readonly done: Map<number, StageState>;
  /** Whether steps are named by their stage (step-labels.ts). */
  readonly stageLabels: boolean;
}

export async function dispatchStage(
  env: DispatchEnv,
  stage: StageDef,
  image: ResolvedImage | null,
  triggers: readonly Instruction[],
): Promise<PlanStage> {
  const from = env.froms[stage.index];
  const { state, base } = startState(env, from, image);
  const ctx = {
    state,
    escapeChar: env.escapeChar,
    diagnostics: env.diagnostics,
    epoch: env.epoch,
    proxyEnv: env.proxyEnv,
    network: env.network,
    run: env.run,
    context: env.context,
    ...(env.git === undefined ? {} : { git: env.git }),
    source: (name: string, range: Range, allowIndex: boolean) => sourceRef(env, stage, name, range, allowIndex),
  };
  if (from.base.type === 'context') await copyContextBase(env, state, stage, from.base.name);
  for (const [i, trigger] of triggers.entries()) {
    try {
      await runStep(ctx, env, trigger, true, stage.from.range);
    } catch (error) {
      if (!(error instanceof PlanError)) throw error;
      // Trigger text has no place in this Dockerfile: point at the FROM that inherited it.
      const atFrom = new PlanError(error.code, error.message, stage.from.range);
      // An error BuildKit meets solving the trigger's step is reported on that step, as for the stage's own.
      if (error.stepMessage !== undefined) {
        atFrom.stepMessage = error.stepMessage;
        atFrom.stepName = failedTriggerName(stage, base, state, triggers, i, env.stageLabels, env.escapeChar);
        atFrom.stepPlatform = state.platform;
      }
      throw atFrom;
    }
  }
  // A stage a named context replaces is that context: none of its instructions runs.
  if (!from.replaced) {
    for (const [i, instr] of stage.instructions.entries()) {
      await runStep(ctx, env, instr, false, instr.range).catch((error: unknown) => {
        // An error BuildKit meets solving the step is reported on the step: its name, as progress shows it.
        if (error instanceof PlanError && error.stepMessage !== undefined) {
          error.stepName = failedStepName(stage, base, state, i, env.stageLabels, env.escapeChar);
          error.stepPlatform = state.platform;
        }
        throw error;
      });
    }
  }
  env.done.set(stage.index, state);
  return {
    name: stage.name,
    index: stage.index,
    base,
    platform: state.platform,
    line: stage.from.range.start.line,
    steps: state.steps,
    config: finalConfig(state),
    fsKey: state.fsKey,
    imageKey: chainKey(state.fsKey, { config: state.configDigest }),
    ...(state.fsPending ? { keyPending: true as const } : {}),
  };
}

function startState(
  env: DispatchEnv,
  from: FromInfo,
  image: ResolvedImage | null,
): { state: StageState; base: StageBase } {
  const b = from.base;
  if (b.type === 'context') {
    const platform = from.platform ?? env.targetPlatform;
    const scratchKey = chainKey(null, { op: 'scratch', platform: formatPlatform(platform) });
    return {
      state: initialState(platform, EMPTY_IMAGE_CONFIG, scratchKey, configDigest({})),
      base: { type: 'context', name: b.name },
    };
  }
  if (b.type === 'stage') {
    const parent = env.done.get(b.index) as StageState;
    return {
      state: inheritState(parent),
      base: { type: 'stage', index: b.index, name: stageLabel(env.stages[b.index]) },
    };
  }
  const platform = from.platform ?? env.targetPlatform;
  const scratchKey = chainKey(null, { op: 'scratch', platform: formatPlatform(platform) });
  if (b.type === 'scratch') {
    return {
      state: initialState(platform, EMPTY_IMAGE_CONFIG, scratchKey, configDigest({})),
      base: { type: 'scratch' },
    };
  }
  const config = image?.config ?? {};
  const digest = image?.digest ?? null;
  const fsKey = image?.empty
    ? scratchKey
    : chainKey(null, { op: 'image', ref: b.ref, digest, platform: formatPlatform(platform) });
  return {
    state: initialState(platform, config, fsKey, configDigest(config)),
    base: { type: 'image', ref: b.ref, digest, resolved: image !== null },
  };
}

/**
 * The config a stage without an image starts from (`scratch`, a local named context): BuildKit's emptyImage names
 * `/` as the working directory; an image's own config is kept as it is, an empty WorkingDir included. Its digest
 * stays that of `{}`, so no key changes with it.
 */
const EMPTY_IMAGE_CONFIG: ImageConfig = { WorkingDir: '/' };

function configDigest(config: ImageConfig): string {
  return sha256(canonicalise(JSON.parse(JSON.stringify(config)) as Canonical));
}

/** `FROM name` of a local named context: the directory's content is the stage's first layer. */
async function copyContextBase(env: DispatchEnv, state: StageState, stage: StageDef, name: string): Promise<void> {
  const context = env.namedContexts.get(name);
  if (context?.type !== 'local') throw new Error(`no local build context ${name}`);
  const draft = await contextBaseStep(name, context.source, stage.from.range);
  const seenEnv = state.imageEnv.toStrings();
  state.steps.push(commit(state, stage.from, draft, false, stage.from.range, seenEnv, argStrings(state)));
}

async function runStep(
  ctx: Parameters<typeof planInstruction>[0],
  env: DispatchEnv,
  instr: Instruction,
  onbuild: boolean,
  range: Range,
): Promise<void> {
  const state = ctx.state;
  const seenEnv = state.imageEnv.toStrings();
  const seenArgs = argStrings(state);
  const buildEnv = state.env;
  const planned = async () => {
    // The Dockerfile's own instructions were checked in source order (stages.ts); a base image's trigger was not.
    if (onbuild) checkSyntax(instr);
    return planInstruction(ctx, instr, env.argScope);
  };
  const draft = await planned().catch((error: unknown) => {
    // A trigger's parse error is located at the FROM, without BuildKit's parse-error wording (the caller's).
    throw error instanceof PlanError && !onbuild ? error.at(instr.range) : error;
  });
  const step = commit(state, instr, draft, onbuild, range, seenEnv, seenArgs);
  const title = stepTitle(instr, buildEnv, ctx.escapeChar, draft.operation, onbuild);
  state.steps.push(title === undefined ? step : { ...step, title });
}

function commit(
  state: StageState,
  instr: Instruction,
  draft: StepDraft,
  onbuild: boolean,
  range: Range,
  seenEnv: string[],
  seenArgs: string[],
): PlanStep {
  const parentKey = state.fsKey;
  let cacheKey: string | null = null;
  let pending = state.fsPending;
  if (draft.layer !== undefined) {
    const { definition, link } = draft.layer;
    cacheKey = chainKey(link ? null : state.fsKey, { ...definition, platform: formatPlatform(state.platform) });
    // Every input read from another stage (a mount, COPY --from) is keyed by content, never by the stage's
    // key: whether that stage's own key is pending does not matter here.
    pending = draft.keyedByContent === true || (!link && state.fsPending);
    // A linked layer is keyed on its own; the filesystem after it is the merge of both.
    state.fsKey = link ? chainKey(state.fsKey, { op: 'merge', layer: cacheKey }) : cacheKey;
    state.fsPending = link ? state.fsPending || pending : pending;
  }
  if (draft.configChange !== undefined) {
    state.configDigest = chainKey(state.configDigest, {
      change: JSON.parse(JSON.stringify(draft.configChange)) as Canonical,
    });
    if (draft.layer === undefined) cacheKey = chainKey(state.fsKey, { config: state.configDigest });
  }
  return {
    kind: instr.kind,
    line: range.start.line,
    range,
    instruction: instr.original,
    onbuild,
    args: draft.args,
    ...(draft.historyArgs === undefined ? {} : { historyArgs: draft.historyArgs }),
    env: seenEnv,
    buildArgs: seenArgs,
    inputs: draft.inputs,
    operation: draft.operation,
    cacheKey,
    parentKey,
    layer: draft.layer !== undefined,
    ...(pending ? { keyPending: true as const } : {}),
  };
}

async function sourceRef(
  env: DispatchEnv,
  current: StageDef,
  name: string,
  range: Range,
  allowIndex: boolean,
): Promise<SourceRef> {
  const stage = findSourceStage(env.stages, name, allowIndex, range);
  const replacedBy = stage === null ? null : env.froms[stage.index];
  if (replacedBy?.replaced && replacedBy.base.type === 'context') return localContextRef(env, replacedBy.base.name);
  if (stage !== null) {
    const state = env.done.get(stage.index);
    if (state === undefined || stage.index >= current.index) {
      throw new PlanError(
        'stage-order',
        `cannot copy from stage ${JSON.stringify(name)}, it needs to be defined before current stage ${JSON.stringify(stageLabel(current))}`,
        range,
      );
    }
    return { type: 'stage', index: stage.index, name: stageLabel(stage), fsKey: state.fsKey };
  }
  let ref: string;
  try {
    ref = normalizeReference(name);
  } catch (error) {
    throw new PlanError('invalid-reference', `invalid from flag value ${name}: ${(error as Error).message}`, range);
  }
  const named = findContext(env.namedContexts, name);
  if (named?.context.type === 'local') return localContextRef(env, named.name);
  if (named?.context.type === 'image') {
    if (named.context.ref === 'scratch')
      throw new PlanError(
        'scratch-source',
        `build context ${named.name} is scratch: there is nothing to copy or mount`,
        range,
      );
    ref = named.context.ref;
  }
  const image = await env.resolver.resolve(ref, env.targetPlatform);
  return { type: 'image', ref, digest: image?.digest ?? null };
}

function localContextRef(env: DispatchEnv, name: string): SourceRef {
  const context = env.namedContexts.get(name);
  if (context?.type !== 'local') throw new Error(`no local build context ${name}`);
  return { type: 'context', name, source: context.source };
}
