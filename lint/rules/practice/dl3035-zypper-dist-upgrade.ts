import type { Rule } from '../../types.js';
import { hadolintUrl } from '../meta.js';
import { programCalls } from './program-calls.js';
import { eachRun } from './run-commands.js';

export const dl3035: Rule = {
  id: 'DL3035',
  group: 'practice',
  description: 'Do not use `zypper dist-upgrade`.',
  url: hadolintUrl('DL3035'),
  severity: 'warning',
  check({ model, report }) {
    for (const { run, script, commands } of eachRun(model, 'zypper')) {
      for (const call of programCalls(commands, 'zypper')) {
        const word = call.args.find((a) => a.text === 'dist-upgrade' || a.text === 'dup');
        if (word) report(script.range(word.start, word.end), dl3035.description, run);
      }
    }
  },
};
