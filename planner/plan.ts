// Entry point: AST + options + (context, base image resolver) → the build plan and diagnostics.

import type { Diagnostic, Dockerfile } from '../parser/index.js';
import { globalArgs, proxyEnv, sourceDateEpoch } from './args.js';
import { type DispatchEnv, dispatchStage } from './dispatch.js';
import { PlanError } from './errors.js';
import { resolveFrom } from './from.js';
import { buildGraph } from './graph.js';
import { hostPlatform } from './platform.js';
import { resolveTarget, splitStages, stageLabel } from './stages.js';
import { stepsNamedByStage } from './step-labels.js';
import type { PlanDeps, PlanOptions, PlanResult, PlanStage } from './types.js';

export async function plan(ast: Dockerfile, options: PlanOptions, deps: PlanDeps): Promise<PlanResult> {
  const diagnostics: Diagnostic[] = [];
  try {
    return { plan: await planOrThrow(ast, options, deps, diagnostics), diagnostics };
  } catch (error) {
    if (!(error instanceof PlanError)) throw error;
    const result = { plan: null, diagnostics: [...diagnostics, error.toDiagnostic()] };
    const step = error.failedStep();
    if (step !== undefined) return { ...result, failure: { message: error.message, range: error.range, step } };
    const where = error.instruction;
    if (where === undefined) return result;
    return {
      ...result,
      failure: { message: `dockerfile parse error on line ${where.start.line}: ${error.message}`, range: where },
    };
  }
}

async function planOrThrow(ast: Dockerfile, options: PlanOptions, deps: PlanDeps, diagnostics: Diagnostic[]) {
  const { metaArgs, stages } = splitStages(ast, diagnostics);
  const buildPlatform = options.buildPlatform ?? hostPlatform();
  const targetPlatform = options.targetPlatform ?? buildPlatform;
  const targetName = options.target || stageLabel(stages[stages.length - 1]);
  const rawGlobals = globalArgs(
    metaArgs,
    options.buildArgs ?? {},
    { build: buildPlatform, target: targetPlatform },
    targetName,
    ast.escapeChar,
  );
  const { epoch, buildArgs, globals } = await sourceDateEpoch({
    buildArgs: options.buildArgs ?? {},
    globals: rawGlobals,
    stages,
    escapeChar: ast.escapeChar,
    resolver: deps.sourceEpoch,
    ...(deps.git === undefined ? {} : { git: deps.git }),
  });
  const declared = new Set(metaArgs.flatMap((a) => a.declarations.map((d) => d.name.value)));
  const contexts = deps.namedContexts ?? new Map();
  const froms = stages.map((s) =>
    resolveFrom(stages, s, { values: globals, declared }, ast.escapeChar, diagnostics, contexts),
  );
  const target = resolveTarget(stages, options.target);

  // A stage built FROM another runs on that stage's platform.
  const platformOf = (index: number): typeof targetPlatform => {
    const from = froms[index];
    if (from.platform !== null) return from.platform;
    return from.base.type === 'stage' ? platformOf(from.base.index) : targetPlatform;
  };
  const graph = await buildGraph(stages, froms, target.index, platformOf, deps.images, diagnostics);
  const env: DispatchEnv = {
    stages,
    froms,
    targetPlatform,
    escapeChar: ast.escapeChar,
    epoch,
    proxyEnv: proxyEnv(buildArgs),
    network: options.network ?? 'default',
    run: options.run ?? {},
    argScope: { buildArgs, globalArgs: globals },
    context: deps.context,
    ...(deps.git === undefined ? {} : { git: deps.git }),
    namedContexts: contexts,
    resolver: deps.images,
    diagnostics,
    done: new Map(),
    stageLabels: stepsNamedByStage(stages),
  };
  const planned: PlanStage[] = [];
  for (const index of graph.order) {
    planned.push(
      await dispatchStage(env, stages[index], graph.images.get(index) ?? null, graph.triggers.get(index) ?? []),
    );
  }
  return {
    stages: planned,
    target: target.index,
    stageLabels: env.stageLabels,
    epoch,
    platform: targetPlatform,
  };
}
