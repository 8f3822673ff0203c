// The stages a target needs, as BuildKit's frontend finds them for a check with `--target`: the target, the
// stage it is built on, and the stages its COPY --from and RUN --mount from= read, transitively.
import { type Instruction, withSuggestion } from '../parser/index.js';
import type { LintModel, Stage } from './model.js';

function sourcesOf(instruction: Instruction): string[] {
  const out: string[] = [];
  for (const flag of instruction.flags) {
    if (instruction.kind === 'copy' && flag.name === 'from' && flag.value !== null) out.push(flag.value);
    if (instruction.kind === 'run' && flag.name === 'mount') {
      const from = flag.options.find((o) => o.key.toLowerCase() === 'from')?.value;
      if (from) out.push(from);
    }
  }
  return out;
}

/** Stage indexes `target` needs, or BuildKit's error for a target no stage is named. */
export function targetStages(model: LintModel, target: string): Set<number> | string {
  const byName = (name: string): Stage | undefined => {
    if (/^[0-9]+$/.test(name)) return model.stages[Number(name)];
    return model.stages.find((s) => s.name === name.toLowerCase());
  };
  const start = model.stages.find((s) => s.name === target.toLowerCase());
  if (!start) {
    const names = model.stages.flatMap((s) => (s.from.stageName ? [s.from.stageName.value] : []));
    return withSuggestion(`target stage "${target}" could not be found`, target, names, false);
  }
  const found = new Set<number>();
  const visit = (stage: Stage): void => {
    if (found.has(stage.index)) return;
    found.add(stage.index);
    if (stage.parent) visit(stage.parent);
    for (const instruction of stage.instructions) {
      for (const name of sourcesOf(instruction)) {
        const source = byName(name);
        if (source && source.index < stage.index) visit(source);
      }
    }
  };
  visit(start);
  return found;
}
