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
      // As hadolint's current spec has it, `$BUILDPLATFORM` and `$TARGETPLATFORM` are allowed: that is how a stage
      // cross-compiles on the build machine. An empty `--platform=` is no platform.
      const flag = stage.from.flags.find((f) => f.name.toLowerCase() === 'platform');
      const value = flag?.value ?? '';
      if (flag === undefined || value === '' || /BUILDPLATFORM|TARGETPLATFORM/.test(value)) continue;
      report(flag.range, dl3029.description, stage.from);
    }
  },
};
