import type { Rule } from '../../types.js';
import { hadolintUrl } from '../meta.js';
import { operands, programCalls } from './program-calls.js';
import { eachRun } from './run-commands.js';

export const dl4005: Rule = {
  id: 'DL4005',
  group: 'practice',
  description: 'Use SHELL to change the default shell',
  url: hadolintUrl('DL4005'),
  severity: 'warning',
  check({ model, report }) {
    // Linking something over /bin/sh changes the shell of every later RUN behind the Dockerfile's back. Only
    // /bin/sh as the link (the last operand) counts; hadolint also reports a link that points to /bin/sh.
    for (const { run, script, commands } of eachRun(model, '/bin/sh')) {
      for (const call of programCalls(commands, 'ln')) {
        if (operands(call).at(-1)?.text !== '/bin/sh') continue;
        report(script.range(call.program.start, call.program.end), dl4005.description, run);
      }
    }
  },
};
