// The error BuildKit's frontend stops at while it expands the FROM lines of every stage, before it dispatches
// anything (toDispatchState): a base name or `--platform` that expands to nothing or to no valid value. A lint
// request (`--call=check`) reports it as its buildError; no base image is looked at.
import type { Diagnostic, Dockerfile } from '../parser/index.js';
import { globalArgs } from './args.js';
import { PlanError } from './errors.js';
import { resolveFrom } from './from.js';
import type { Platform } from './image-config.js';
import { hostPlatform } from './platform.js';
import { splitStages, stageLabel } from './stages.js';

export interface FromLineOptions {
  readonly buildArgs: Readonly<Record<string, string>>;
  readonly targetPlatform?: Platform;
  readonly target?: string;
}

/** The first FROM line BuildKit cannot expand, as the PlanError a build throws; null when every one expands. */
export function fromLineError(ast: Dockerfile, options: FromLineOptions): PlanError | null {
  const diagnostics: Diagnostic[] = [];
  try {
    const { metaArgs, stages } = splitStages(ast, diagnostics);
    if (stages.length === 0) return null;
    const build = hostPlatform();
    const globals = globalArgs(
      metaArgs,
      options.buildArgs,
      { build, target: options.targetPlatform ?? build },
      options.target || stageLabel(stages[stages.length - 1]),
      ast.escapeChar,
    );
    const declared = new Set(metaArgs.flatMap((a) => a.declarations.map((d) => d.name.value)));
    for (const stage of stages) resolveFrom(stages, stage, { values: globals, declared }, ast.escapeChar, diagnostics);
    return null;
  } catch (error) {
    if (error instanceof PlanError) return error;
    throw error;
  }
}
