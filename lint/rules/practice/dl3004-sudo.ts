import { commandWords } from '../../shell-commands.js';
import type { Rule } from '../../types.js';
import { hadolintUrl } from '../meta.js';
import { eachRun } from './run-commands.js';

export const dl3004: Rule = {
  id: 'DL3004',
  group: 'practice',
  description: 'Do not use sudo as it leads to unpredictable behavior. Use a tool like gosu to enforce root',
  url: hadolintUrl('DL3004'),
  severity: 'error',
  check({ model, report }) {
    for (const { run, script, commands } of eachRun(model, 'sudo')) {
      for (const command of commands) {
        const first = commandWords(command)[0];
        if (first?.text !== 'sudo') continue;
        report(script.range(first.start, first.end), dl3004.description, run);
      }
    }
  },
};
