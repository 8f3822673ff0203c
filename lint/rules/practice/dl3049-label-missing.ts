import type { Stage } from '../../model.js';
import type { Rule } from '../../types.js';
import { hadolintUrl } from '../meta.js';
import { literal, schemaLabels } from './label-schema.js';

const message = (label: string): string => `Label \`${label}\` is missing.`;

/**
 * The stages that lack `label`, as hadolint tracks them: a stage has it when it sets it or builds on a stage that
 * has; a stage another one copies from (`COPY --from`) or builds on with its own LABEL is an intermediate stage
 * and is not reported.
 */
function stagesMissing(stages: readonly Stage[], has: (stage: Stage) => boolean): Stage[] {
  const good = new Set<Stage>();
  const bad = new Set<Stage>();
  const silence = (name: string): void => {
    for (const stage of bad) if (stage.name === name) bad.delete(stage);
  };
  for (const stage of stages) {
    if (stage.parent !== null && good.has(stage.parent)) good.add(stage);
    else bad.add(stage);
    for (const instruction of stage.instructions) {
      if (instruction.kind === 'copy') {
        const from = instruction.flags.find((f) => f.name === 'from')?.value;
        if (from) silence(from.toLowerCase());
      }
    }
    if (has(stage)) {
      silence(stage.name ?? stage.baseName.toLowerCase());
      good.add(stage);
      bad.delete(stage);
    }
  }
  return [...bad];
}

export const dl3049: Rule = {
  id: 'DL3049',
  group: 'practice',
  description: message('<label>'),
  url: hadolintUrl('DL3049'),
  severity: 'info',
  check({ model, report }) {
    for (const label of schemaLabels(model)) {
      const has = (stage: Stage): boolean =>
        stage.instructions.some(
          (i) => i.kind === 'label' && i.pairs.some((pair) => literal(model, pair.key.value) === label),
        );
      for (const stage of stagesMissing(model.stages, has)) {
        report(stage.from.keyword.range, message(label), stage.from);
      }
    }
  },
};
