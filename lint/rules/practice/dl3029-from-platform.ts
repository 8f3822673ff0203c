import type { Rule } from '../../types.js';
import { hadolintUrl } from '../meta.js';

export const dl3029: Rule = {
  id: 'DL3029',
  group: 'practice',
  description: 'Do not use --platform flag with FROM',
  url: hadolintUrl('DL3029'),
  severity: 'warning',
  check({ model, report }) {
    for (const stage of model.stages) {
      // Any value, `$BUILDPLATFORM` too (BuildKit's FromPlatformFlagConstDisallowed takes only constants);
      // an empty `--platform=` is no platform.
      const flag = stage.from.flags.find((f) => f.name.toLowerCase() === 'platform');
      if (flag && flag.value !== null && flag.value !== '') report(flag.range, dl3029.description, stage.from);
    }
  },
};
