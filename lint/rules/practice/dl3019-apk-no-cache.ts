import type { Rule } from '../../types.js';
import { hadolintUrl } from '../meta.js';
import { hasArg, hasFlag, programCalls } from './program-calls.js';
import { eachRun, mountsCacheAt } from './run-commands.js';

export const dl3019: Rule = {
  id: 'DL3019',
  group: 'practice',
  description:
    'Use the `--no-cache` switch to avoid the need to use `--update` and remove `/var/cache/apk/*` when done installing packages',
  url: hadolintUrl('DL3019'),
  severity: 'info',
  check({ model, report }) {
    for (const { run, script, commands } of eachRun(model, 'apk')) {
      if (mountsCacheAt(run, '/var/cache/apk')) continue;
      for (const call of programCalls(commands, 'apk')) {
        if (!hasArg(call, 'add') || hasFlag(call, 'no-cache')) continue;
        report(script.range(call.program.start, call.program.end), dl3019.description, run);
      }
    }
  },
};
