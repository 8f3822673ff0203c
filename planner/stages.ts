// Stages and their graph: splitting the Dockerfile at FROM, stage names, references between stages
// (FROM stage, COPY --from=name|index, RUN --mount=from=name), --target, pruning and cycles.

import {
  type ArgInstruction,
  type Diagnostic,
  type Dockerfile,
  type FromInstruction,
  hasFromArguments,
  type Instruction,
  isValidStageName,
  type Range,
  unknownInstructionMessage,
  withSuggestion,
} from '../parser/index.js';
import { PlanError, warning } from './errors.js';
import { checkFlags } from './steps/common.js';
import { checkSyntax } from './steps/syntax.js';

export interface StageDef {
  readonly index: number;
  /** Stage name as written (`AS Build`), or null. Lookups are case-insensitive. */
  readonly name: string | null;
  readonly from: FromInstruction;
  readonly instructions: readonly Instruction[];
}

export interface SplitDockerfile {
  readonly metaArgs: readonly ArgInstruction[];
  readonly stages: readonly StageDef[];
}

export function splitStages(ast: Dockerfile, diagnostics: Diagnostic[]): SplitDockerfile {
  const metaArgs: ArgInstruction[] = [];
  const stages: { index: number; name: string | null; from: FromInstruction; instructions: Instruction[] }[] = [];
  for (const instr of ast.instructions) {
    // BuildKit parses every instruction in source order before it resolves the target: a broken one fails the build
    // even in a stage the target does not need, and before an unknown instruction further down (steps/syntax.ts).
    // FROM's flags come after its arguments and stage name, as in BuildKit's parseFrom.
    atInstruction(instr, () => checkSyntax(instr));
    if (instr.kind === 'unknown') {
      const message = unknownInstructionMessage(instr.keyword.value);
      throw new PlanError('unknown-instruction', message, instr.keyword.range, instr.range);
    }
    if (instr.kind === 'from') {
      if (instr.image === null || !hasFromArguments(instr))
        throw new PlanError(
          'missing-arguments',
          'FROM requires either one or three arguments',
          instr.range,
          instr.range,
        );
      const name = instr.stageName?.value ?? null;
      if (name !== null && !isValidStageName(name)) {
        throw new PlanError(
          'invalid-stage-name',
          `invalid name for build stage: ${JSON.stringify(name)}, name can't start with a number or contain symbols`,
          instr.stageName?.range ?? instr.range,
          instr.range,
        );
      }
      checkFlags(instr, instr.range);
      if (name !== null && stages.some((s) => s.name?.toLowerCase() === name.toLowerCase())) {
        diagnostics.push(
          warning(
            'DuplicateStageName',
            `Duplicate stage name ${JSON.stringify(name)}, stage names should be unique`,
            instr.stageName?.range ?? instr.range,
          ),
        );
      }
      stages.push({ index: stages.length, name, from: instr, instructions: [] });
    } else if (stages.length === 0) {
      if (instr.kind !== 'arg') throw new PlanError('no-stage', 'no build stage in current context', instr.range);
      metaArgs.push(instr);
    } else {
      stages[stages.length - 1].instructions.push(instr);
    }
  }
  if (stages.length === 0) throw new PlanError('no-stages', 'dockerfile contains no stages to build');
  return { metaArgs, stages };
}

/** Runs a parse check of `instr`, its error located at the whole instruction as BuildKit locates parse errors. */
function atInstruction(instr: Instruction, check: () => void): void {
  try {
    check();
  } catch (error) {
    throw error instanceof PlanError ? error.at(instr.range) : error;
  }
}

/** Display name of a stage, as BuildKit prints it in messages. */
export function stageLabel(stage: StageDef): string {
  return stage.name ?? `stage-${stage.index}`;
}

/** The stage a FROM refers to: the latest stage of that name defined before it. */
export function findBaseStage(stages: readonly StageDef[], before: number, baseName: string): StageDef | null {
  const lower = baseName.toLowerCase();
  for (let i = before - 1; i >= 0; i--) if (stages[i].name?.toLowerCase() === lower) return stages[i];
  return null;
}

/**
 * `--from=` / `from=`: a stage name (any position; the last of that name), a stage index (COPY
 * only), or else an image reference (null).
 */
export function findSourceStage(
  stages: readonly StageDef[],
  from: string,
  allowIndex: boolean,
  range: Range,
): StageDef | null {
  if (allowIndex && /^-?[0-9]+$/.test(from)) {
    const index = Number(from);
    if (index < 0 || index >= stages.length)
      throw new PlanError('invalid-stage-index', `invalid stage index ${index}`, range);
    return stages[index];
  }
  const lower = from.toLowerCase();
  for (let i = stages.length - 1; i >= 0; i--) if (stages[i].name?.toLowerCase() === lower) return stages[i];
  return null;
}

export function resolveTarget(stages: readonly StageDef[], target: string | undefined): StageDef {
  if (target === undefined || target === '') return stages[stages.length - 1];
  const found = findSourceStage(stages, target, false, stages[0].from.range);
  if (found !== null) return found;
  const names = stages.flatMap((s) => (s.name === null ? [] : [s.name]));
  const message = withSuggestion(`target stage ${JSON.stringify(target)} could not be found`, target, names, false);
  throw new PlanError('unknown-target', message);
}

export interface StageEdge {
  readonly to: number;
  readonly range: Range;
}

/** Fails on a cycle in the graph of stage dependencies, naming a stage on it. */
export function checkCycles(stages: readonly StageDef[], edges: ReadonlyMap<number, readonly StageEdge[]>): void {
  const state = new Map<number, 'visiting' | 'done'>();
  const visit = (index: number, via: Range): void => {
    const mark = state.get(index);
    if (mark === 'done') return;
    if (mark === 'visiting') {
      throw new PlanError(
        'circular-dependency',
        `circular dependency detected on stage: ${stageLabel(stages[index])}`,
        via,
      );
    }
    state.set(index, 'visiting');
    for (const edge of edges.get(index) ?? []) visit(edge.to, edge.range);
    state.set(index, 'done');
  };
  for (const stage of stages) visit(stage.index, stage.from.range);
}

/** Stages the target needs (itself, its bases and sources, transitively), in Dockerfile order. */
export function reachable(target: number, edges: ReadonlyMap<number, readonly StageEdge[]>): number[] {
  const seen = new Set<number>();
  const stack = [target];
  while (stack.length > 0) {
    const index = stack.pop() as number;
    if (seen.has(index)) continue;
    seen.add(index);
    for (const edge of edges.get(index) ?? []) stack.push(edge.to);
  }
  return [...seen].sort((a, b) => a - b);
}
