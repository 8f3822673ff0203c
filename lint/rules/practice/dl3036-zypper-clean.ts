import type { Rule } from '../../types.js';
import { hadolintUrl } from '../meta.js';
import { hasArg, programCalls } from './program-calls.js';
import { eachRun, mountsCacheAt } from './run-commands.js';

export const dl3036: Rule = {
  id: 'DL3036',
  group: 'practice',
  description: '`zypper clean` missing after zypper use.',
  url: hadolintUrl('DL3036'),
  severity: 'warning',
  check({ model, report }) {
    for (const { run, script, commands } of eachRun(model, 'zypper')) {
      if (mountsCacheAt(run, '/var/cache/zypp')) continue;
      const calls = programCalls(commands, 'zypper');
      const install = calls.findIndex((c) => hasArg(c, 'install', 'in'));
      if (install < 0) continue;
      // A `zypper clean` (or `cc`) after the install, as hadolint orders them.
      if (calls.slice(install + 1).some((c) => hasArg(c, 'clean', 'cc'))) continue;
      const program = calls[install].program;
      report(script.range(program.start, program.end), dl3036.description, run);
    }
  },
};
