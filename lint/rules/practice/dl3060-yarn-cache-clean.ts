import type { Stage } from '../../model.js';
import type { Rule } from '../../types.js';
import { hadolintUrl } from '../meta.js';
import { hasArg, programCalls } from './program-calls.js';
import { eachRun } from './run-commands.js';

export const dl3060: Rule = {
  id: 'DL3060',
  group: 'practice',
  description: '`yarn cache clean` missing after `yarn install` was run.',
  url: hadolintUrl('DL3060'),
  severity: 'info',
  check({ model, report }) {
    // Only the last stage and the stages others build on (FROM <stage>) end up in an image, as hadolint sees it.
    const shipped = new Set<Stage>(model.stages.slice(-1));
    for (const stage of model.stages) if (stage.parent) shipped.add(stage.parent);
    for (const { stage, run, script, commands } of eachRun(model, 'yarn')) {
      // A cache mount keeps the yarn cache out of the layer.
      if (
        !shipped.has(stage) ||
        run.flags.some((f) => f.name === 'mount' && f.options.some((o) => o.value === 'cache'))
      )
        continue;
      const calls = programCalls(commands, 'yarn');
      const install = calls.find((c) => hasArg(c, 'install'));
      if (!install || calls.some((c) => hasArg(c, 'cache', 'clean'))) continue;
      report(script.range(install.program.start, install.program.end), dl3060.description, run);
    }
  },
};
