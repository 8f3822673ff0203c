import { commandWords, type SimpleCommand } from '../../shell-commands.js';
import type { Rule } from '../../types.js';
import { hadolintUrl } from '../meta.js';
import { DNF } from './dl3038-dnf-yes.js';
import { hasArg, programCalls } from './program-calls.js';
import { eachRun, mountsCacheAt } from './run-commands.js';

function removesCache(command: SimpleCommand): boolean {
  const words = commandWords(command);
  return words[0]?.text === 'rm' && words.some((w) => /^\/var\/cache\/(?:yum|dnf)(?:\/|$)/.test(w.text));
}

export const dl3040: Rule = {
  id: 'DL3040',
  group: 'practice',
  description: '`dnf clean all` missing after dnf command.',
  url: hadolintUrl('DL3040'),
  severity: 'warning',
  check({ model, report }) {
    for (const { run, script, commands } of eachRun(model, 'dnf')) {
      if (mountsCacheAt(run, '/var/cache/dnf') || mountsCacheAt(run, '/var/cache/yum')) continue;
      // Checked per program, as hadolint does: `microdnf clean all` does not clean after `dnf install`.
      for (const name of ['dnf', 'microdnf']) {
        const index = commands.findIndex((c) => programCalls([c], name).some((call) => hasArg(call, 'install')));
        if (index < 0) continue;
        // `dnf clean all` (hadolint takes a call given `clean` or `all`) or removing the cache, after the install.
        const cleaned = commands
          .slice(index + 1)
          .some((c) => programCalls([c], name).some((call) => hasArg(call, 'clean', 'all')) || removesCache(c));
        if (cleaned) continue;
        const [call] = programCalls([commands[index]], DNF);
        report(script.range(call.program.start, call.program.end), dl3040.description, run);
      }
    }
  },
};
