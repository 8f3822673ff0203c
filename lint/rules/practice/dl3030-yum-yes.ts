import type { Rule } from '../../types.js';
import { hadolintUrl } from '../meta.js';
import { hasArg, hasFlag, programCalls } from './program-calls.js';
import { eachRun } from './run-commands.js';

export const dl3030: Rule = {
  id: 'DL3030',
  group: 'practice',
  // hadolint's text, unclosed `<package` included.
  description: 'Use the -y switch to avoid manual input `yum install -y <package`',
  url: hadolintUrl('DL3030'),
  severity: 'warning',
  check({ model, report }) {
    for (const { run, script, commands } of eachRun(model, 'yum')) {
      for (const call of programCalls(commands, 'yum')) {
        if (!hasArg(call, 'install', 'groupinstall', 'localinstall') || hasFlag(call, 'y', 'assumeyes')) continue;
        report(script.range(call.program.start, call.program.end), dl3030.description, run);
      }
    }
  },
};
