import type { Rule } from '../../types.js';
import { hadolintUrl } from '../meta.js';
import { programCalls } from './program-calls.js';
import { eachRun } from './run-commands.js';

// hadolint's list: its message also names `ifconfig`, which its check does not look for.
const POINTLESS = new Set(['free', 'kill', 'mount', 'ps', 'service', 'shutdown', 'ssh', 'top', 'vim']);

export const dl3001: Rule = {
  id: 'DL3001',
  group: 'practice',
  description:
    'For some bash commands it makes no sense running them in a Docker container like `ssh`, `vim`, `shutdown`, `service`, `ps`, `free`, `top`, `kill`, `mount`, `ifconfig`',
  url: hadolintUrl('DL3001'),
  severity: 'info',
  check({ model, report }) {
    for (const { run, script, commands } of eachRun(model, '')) {
      for (const call of programCalls(commands, (name) => POINTLESS.has(name))) {
        report(script.range(call.program.start, call.program.end), dl3001.description, run);
      }
    }
  },
};
