import { commandWords } from '../../shell-commands.js';
import type { Rule } from '../../types.js';
import { hadolintUrl } from '../meta.js';
import { hasArg, programCalls } from './program-calls.js';
import { eachRun, mountsCacheAt } from './run-commands.js';

export const dl3032: Rule = {
  id: 'DL3032',
  group: 'practice',
  description: '`yum clean all` missing after yum command.',
  url: hadolintUrl('DL3032'),
  severity: 'warning',
  check({ model, report }) {
    for (const { run, script, commands } of eachRun(model, 'yum')) {
      if (mountsCacheAt(run, '/var/cache/yum')) continue;
      const calls = programCalls(commands, 'yum');
      const install = calls.find((c) => hasArg(c, 'install'));
      if (!install) continue;
      // `yum clean all` (hadolint takes any yum call given `clean` or `all`) or removing /var/cache/yum.
      const cleaned =
        calls.some((c) => hasArg(c, 'clean', 'all')) ||
        commands.some((c) => {
          const words = commandWords(c);
          return words[0]?.text === 'rm' && words.some((w) => w.text.startsWith('/var/cache/yum'));
        });
      if (!cleaned) report(script.range(install.program.start, install.program.end), dl3032.description, run);
    }
  },
};
