import { hasFromArguments, isValidStageName } from '../../../parser/index.js';
import { normalizedRepository, parseImageReference } from '../../image-ref.js';
import type { Rule } from '../../types.js';
import { referencesIn } from '../../words.js';
import { referenceUrl } from '../meta.js';

export const invalidFrom: Rule = {
  id: 'invalid-from',
  group: 'build',
  description: 'FROM takes an image and an optional `AS name` with a valid stage name',
  url: referenceUrl('from'),
  severity: 'error',
  check({ model, report }) {
    for (const stage of model.stages) {
      const { from } = stage;
      const args = from.args;
      if (args.length === 3 && args[1].value.toLowerCase() === 'as') {
        if (!isValidStageName(args[2].value)) {
          report(
            args[2].range,
            `invalid name for build stage: "${args[2].value}", name can't start with a number or contain symbols`,
            from,
            'invalid-stage-name',
          );
          continue;
        }
      } else if (!hasFromArguments(from)) {
        report(
          args.length > 1 ? args[1].range : from.keyword.range,
          'FROM requires either one or three arguments',
          from,
          'missing-arguments',
        );
        continue;
      }
      const image = from.image;
      // Names with variables are judged after expansion (InvalidDefaultArgInFrom); stages are not images.
      if (!image || stage.parent || image.value === 'scratch') continue;
      if (referencesIn(image.value, model.ast.escapeChar).length > 0) continue;
      if (parseImageReference(image.value)) continue;
      // distribution's ParseNormalizedNamed, as a build reports it: the normalised repository when it has capitals.
      const repository = normalizedRepository(image.value);
      const detail =
        repository.toLowerCase() === repository
          ? 'invalid reference format'
          : `invalid reference format: repository name (${repository}) must be lowercase`;
      // The dispatcher's error (not a parse error), as the planner's.
      report(image.range, `failed to parse stage name "${image.value}": ${detail}`, from, 'invalid-reference');
    }
  },
};
