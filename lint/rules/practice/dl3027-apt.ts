import type { Rule } from '../../types.js';
import { hadolintUrl } from '../meta.js';
import { programCalls } from './program-calls.js';
import { eachRun } from './run-commands.js';

export const dl3027: Rule = {
  id: 'DL3027',
  group: 'practice',
  description: 'Do not use apt as it is meant to be an end-user tool, use apt-get or apt-cache instead',
  url: hadolintUrl('DL3027'),
  severity: 'warning',
  check({ model, report }) {
    for (const { run, script, commands } of eachRun(model, 'apt')) {
      for (const call of programCalls(commands, 'apt')) {
        report(script.range(call.program.start, call.program.end), dl3027.description, run);
      }
    }
  },
};
