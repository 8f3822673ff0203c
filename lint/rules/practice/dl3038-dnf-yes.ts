import type { Rule } from '../../types.js';
import { hadolintUrl } from '../meta.js';
import { hasArg, hasFlag, programCalls } from './program-calls.js';
import { eachRun } from './run-commands.js';

/** `dnf` and `microdnf`, as hadolint's dnf rules take them. */
export const DNF = (name: string): boolean => name === 'dnf' || name === 'microdnf';

export const dl3038: Rule = {
  id: 'DL3038',
  group: 'practice',
  description: 'Use the -y switch to avoid manual input `dnf install -y <package>`.',
  url: hadolintUrl('DL3038'),
  severity: 'warning',
  check({ model, report }) {
    for (const { run, script, commands } of eachRun(model, 'dnf')) {
      for (const call of programCalls(commands, DNF)) {
        if (!hasArg(call, 'install', 'groupinstall', 'localinstall') || hasFlag(call, 'y', 'assumeyes')) continue;
        report(script.range(call.program.start, call.program.end), dl3038.description, run);
      }
    }
  },
};
