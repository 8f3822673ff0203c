import type { Rule } from '../../types.js';
import { hadolintUrl } from '../meta.js';
import { programCalls } from './program-calls.js';
import { eachRun } from './run-commands.js';

export const dl3003: Rule = {
  id: 'DL3003',
  group: 'practice',
  description: 'Use WORKDIR to switch to a directory.',
  url: hadolintUrl('DL3003'),
  severity: 'warning',
  check({ model, report }) {
    // Every `cd` counts, as in hadolint, also one in a subshell that does not outlive its command.
    for (const { run, script, commands } of eachRun(model, 'cd')) {
      for (const call of programCalls(commands, 'cd')) {
        report(script.range(call.program.start, call.program.end), dl3003.description, run);
      }
    }
  },
};
