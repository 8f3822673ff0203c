import type { Rule } from '../../types.js';
import { hadolintUrl } from '../meta.js';
import { countFlag, hasArg, hasFlag, programCalls } from './program-calls.js';
import { eachRun } from './run-commands.js';

export const dl3014: Rule = {
  id: 'DL3014',
  group: 'practice',
  description: 'Use the `-y` switch to avoid manual input `apt-get -y install <package>`',
  url: hadolintUrl('DL3014'),
  severity: 'warning',
  check({ model, report }) {
    for (const { run, script, commands } of eachRun(model, 'apt-get')) {
      for (const call of programCalls(commands, 'apt-get')) {
        if (!hasArg(call, 'install')) continue;
        // `-qq` (quiet level 2) implies `--yes`; a single `-q` does not.
        const yes =
          hasFlag(call, 'y', 'yes', 'assume-yes', 'qq') ||
          countFlag(call, 'q') === 2 ||
          countFlag(call, 'quiet') === 2 ||
          hasArg(call, '-q=2');
        if (!yes) report(script.range(call.program.start, call.program.end), dl3014.description, run);
      }
    }
  },
};
