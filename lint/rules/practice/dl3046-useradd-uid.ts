import type { Rule } from '../../types.js';
import { hadolintUrl } from '../meta.js';
import { flagValues, hasFlag, programCalls } from './program-calls.js';
import { eachRun } from './run-commands.js';

export const dl3046: Rule = {
  id: 'DL3046',
  group: 'practice',
  description: '`useradd` without flag `-l` and high UID will result in excessively large Image.',
  url: hadolintUrl('DL3046'),
  severity: 'warning',
  check({ model, report }) {
    for (const { run, script, commands } of eachRun(model, 'useradd')) {
      for (const call of programCalls(commands, 'useradd')) {
        // Without `-l` useradd fills the sparse /var/log/lastlog up to the UID's offset; hadolint calls a UID
        // of six digits or more high.
        if (hasFlag(call, 'l', 'no-log-init')) continue;
        if (!flagValues(call, 'u', 'uid').some((uid) => uid.text.length > 5)) continue;
        report(script.range(call.program.start, call.program.end), dl3046.description, run);
      }
    }
  },
};
