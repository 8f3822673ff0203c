import { parseImageReference } from '../../image-ref.js';
import { DEFAULT_PLATFORM } from '../../model.js';
import { platformArgValues } from '../../scope.js';
import type { Rule } from '../../types.js';
import { expandValue, expandWord } from '../../words.js';
import { buildkitUrl } from '../meta.js';

export const invalidDefaultArgInFrom: Rule = {
  id: 'InvalidDefaultArgInFrom',
  group: 'buildkit',
  description: 'Default value for global ARG results in an empty or invalid base image name',
  url: buildkitUrl('InvalidDefaultArgInFrom'),
  severity: 'warning',
  check({ model, report }) {
    // Defaults only: build arguments are deliberately ignored, so the Dockerfile stands on its own.
    const defaults = new Map(platformArgValues(model.options.platform ?? DEFAULT_PLATFORM));
    for (const instruction of model.preamble) {
      if (instruction.kind !== 'arg') continue;
      for (const declaration of instruction.declarations) {
        if (!declaration.defaultValue) continue;
        defaults.set(
          declaration.name.value,
          expandValue(declaration.defaultValue.value, (n) => defaults.get(n)),
        );
      }
    }
    for (const { from } of model.stages) {
      if (!from.image) continue;
      const expansion = expandWord(from.image.value, (n) => defaults.get(n), model.ast.escapeChar);
      if (expansion.references.length === 0) continue;
      const name = expansion.value;
      if (name !== '' && (name === 'scratch' || parseImageReference(name))) continue;
      report(
        from.image.range,
        `Default value for ARG ${from.image.value} results in empty or invalid base image name`,
        from,
      );
    }
  },
};
