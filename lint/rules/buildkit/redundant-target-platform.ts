import { DEFAULT_PLATFORM } from '../../model.js';
import type { Rule } from '../../types.js';
import { expandWord } from '../../words.js';
import { buildkitUrl } from '../meta.js';
import { platformFlag } from './undefined-arg-in-from.js';

export const redundantTargetPlatform: Rule = {
  id: 'RedundantTargetPlatform',
  group: 'buildkit',
  description: 'Setting platform to predefined $TARGETPLATFORM in FROM is redundant as this is the default behavior',
  url: buildkitUrl('RedundantTargetPlatform'),
  severity: 'warning',
  check({ model, report }) {
    const target = model.options.platform ?? DEFAULT_PLATFORM;
    for (const { from } of model.stages) {
      const flag = platformFlag(from);
      if (!flag?.value || !flag.valueRange) continue;
      const expansion = expandWord(flag.value, (n) => (n === 'TARGETPLATFORM' ? target : undefined));
      const names = new Set(expansion.references.map((r) => r.name));
      if (names.size !== 1 || !names.has('TARGETPLATFORM') || expansion.value !== target) continue;
      report(
        flag.valueRange,
        `Setting platform to predefined ${flag.value} in FROM is redundant as this is the default behavior`,
        from,
      );
    }
  },
};
