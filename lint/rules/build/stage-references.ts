import { type Flag, type Instruction, search } from '../../../parser/index.js';
import type { LintModel, Stage } from '../../model.js';
import type { Rule } from '../../types.js';
import { referenceUrl } from '../meta.js';

interface Edge {
  readonly from: Stage;
  readonly to: Stage;
  readonly instruction: Instruction;
  readonly flag: Flag;
}

/** `COPY --from=x` and `RUN --mount=…,from=x` of a stage: the referenced names with their flags. */
function stageSources(stage: Stage): { name: string; flag: Flag; instruction: Instruction }[] {
  const out: { name: string; flag: Flag; instruction: Instruction }[] = [];
  for (const instruction of stage.instructions) {
    for (const flag of instruction.flags) {
      if ((instruction.kind === 'copy' || instruction.kind === 'add') && flag.name === 'from' && flag.value) {
        out.push({ name: flag.value, flag, instruction });
      }
      if (instruction.kind === 'run' && flag.name === 'mount') {
        const from = flag.options.find((o) => o.key.toLowerCase() === 'from' && o.value);
        if (from?.value) out.push({ name: from.value, flag, instruction });
      }
    }
  }
  return out;
}

function resolve(model: LintModel, name: string): Stage | null | 'bad-index' {
  if (/^\d+$/.test(name)) {
    const index = Number(name);
    return index < model.stages.length ? model.stages[index] : 'bad-index';
  }
  const lower = name.toLowerCase();
  return model.stages.find((s) => s.name === lower) ?? null;
}

function reaches(edges: Edge[], start: Stage, goal: Stage): boolean {
  const seen = new Set<Stage>();
  const stack = [start];
  while (stack.length > 0) {
    const stage = stack.pop()!;
    if (stage === goal) return true;
    if (seen.has(stage)) continue;
    seen.add(stage);
    for (const edge of edges) if (edge.from === stage) stack.push(edge.to);
    if (stage.parent) stack.push(stage.parent);
  }
  return false;
}

export const stageReference: Rule = {
  id: 'stage-reference',
  group: 'build',
  description: 'A stage reference must name a stage that exists and must not create a cycle',
  url: referenceUrl('copy---from'),
  severity: 'error',
  check({ model, report }) {
    const edges: Edge[] = [];
    for (const stage of model.stages) {
      for (const source of stageSources(stage)) {
        if (source.name.includes('$')) continue;
        const target = resolve(model, source.name);
        if (target === 'bad-index') report(source.flag.range, `invalid stage index ${source.name}`, source.instruction);
        else if (target) edges.push({ from: stage, to: target, instruction: source.instruction, flag: source.flag });
      }
      // FROM can only build on an earlier stage; a later stage's name is looked up as an image.
      const later = model.stages.find((s) => s.index > stage.index && s.name === stage.baseName.toLowerCase());
      if (!stage.parent && later && stage.from.image) {
        report(
          stage.from.image.range,
          `stage "${later.name}" is defined after this FROM; FROM can only use an earlier stage`,
          stage.from,
        );
      }
    }
    for (const edge of edges) {
      if (reaches(edges, edge.to, edge.from)) {
        report(
          edge.flag.range,
          `circular dependency detected on stage: ${edge.from.name ?? `stage-${edge.from.index}`}`,
          edge.instruction,
        );
      }
    }
  },
};

export const unknownStage: Rule = {
  id: 'unknown-stage',
  group: 'build',
  description: 'A --from name that is close to a stage name is probably a typo (it would be pulled as an image)',
  url: referenceUrl('copy---from'),
  severity: 'warning',
  check({ model, report }) {
    const names = model.stages.flatMap((s) => (s.name ? [s.name] : []));
    for (const stage of model.stages) {
      for (const source of stageSources(stage)) {
        if (/[$/:.@]/.test(source.name) || /^\d+$/.test(source.name) || resolve(model, source.name)) continue;
        const { match } = search(source.name.toLowerCase(), names, true);
        if (match === null) continue;
        report(
          source.flag.range,
          `"${source.name}" is not a stage of this Dockerfile and will be pulled as an image (did you mean ${match}?)`,
          source.instruction,
        );
      }
    }
  },
};
