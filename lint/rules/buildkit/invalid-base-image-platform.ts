import { DEFAULT_PLATFORM } from '../../model.js';
import type { Rule } from '../../types.js';
import { expandValue } from '../../words.js';
import { platformFlag } from './undefined-arg-in-from.js';

export const invalidBaseImagePlatform: Rule = {
  id: 'InvalidBaseImagePlatform',
  group: 'buildkit',
  description: 'Base image platform does not match expected target platform',
  // BuildKit has no documentation page for this rule.
  url: '',
  severity: 'warning',
  check({ model, report }) {
    // Needs the resolved base image's platform; a static lint knows it only when the caller supplies it.
    const known = model.options.baseImagePlatforms;
    if (!known) return;
    const target = model.options.platform ?? DEFAULT_PLATFORM;
    for (const stage of model.stages) {
      if (stage.parent || !stage.from.image) continue;
      const actual = known[stage.baseName];
      if (actual === undefined) continue;
      const flag = platformFlag(stage.from);
      const lookup = (n: string): string | undefined =>
        n === 'TARGETPLATFORM' || n === 'BUILDPLATFORM' ? target : undefined;
      const expected = flag?.value ? expandValue(flag.value, lookup) : target;
      const os = (p: string): string => p.split('/').slice(0, 2).join('/');
      if (os(actual) === os(expected)) continue;
      report(
        stage.from.image.range,
        `Base image ${stage.baseName} was pulled with platform "${actual}", expected "${expected}" for current build`,
        stage.from,
      );
    }
  },
};
