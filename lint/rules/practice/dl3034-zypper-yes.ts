import type { Rule } from '../../types.js';
import { hadolintUrl } from '../meta.js';
import { hasArg, hasFlag, programCalls } from './program-calls.js';
import { eachRun } from './run-commands.js';

const ASKING = ['install', 'in', 'remove', 'rm', 'source-install', 'si', 'patch'];

export const dl3034: Rule = {
  id: 'DL3034',
  group: 'practice',
  description: 'Non-interactive switch missing from `zypper` command: `zypper install -y`',
  url: hadolintUrl('DL3034'),
  severity: 'warning',
  check({ model, report }) {
    for (const { run, script, commands } of eachRun(model, 'zypper')) {
      for (const call of programCalls(commands, 'zypper')) {
        if (!hasArg(call, ...ASKING) || hasFlag(call, 'y', 'no-confirm')) continue;
        report(script.range(call.program.start, call.program.end), dl3034.description, run);
      }
    }
  },
};
