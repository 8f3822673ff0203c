import { parsePlatform } from '../../image-ref.js';
import type { Rule } from '../../types.js';
import { referencesIn } from '../../words.js';
import { buildkitUrl } from '../meta.js';
import { platformFlag } from './undefined-arg-in-from.js';

export const fromPlatformFlagConstDisallowed: Rule = {
  id: 'FromPlatformFlagConstDisallowed',
  group: 'buildkit',
  description: 'FROM --platform flag should not use a constant value',
  url: buildkitUrl('FromPlatformFlagConstDisallowed'),
  severity: 'warning',
  check({ model, report }) {
    for (const { from, name } of model.stages) {
      const flag = platformFlag(from);
      if (!flag?.value || !flag.valueRange) continue;
      if (referencesIn(flag.value).length > 0) continue;
      const platform = parsePlatform(flag.value);
      if (!platform) continue;
      // A stage named after its platform (`build_amd64`, `linux`) pins it on purpose.
      const stageName = name ?? '';
      if (stageName.includes(platform.os) || stageName.includes(platform.architecture)) continue;
      report(flag.valueRange, `FROM --platform flag should not use constant value "${flag.value}"`, from);
    }
  },
};
