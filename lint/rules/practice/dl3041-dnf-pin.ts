import type { ShellToken } from '../../shell-commands.js';
import type { Rule } from '../../types.js';
import { hadolintUrl } from '../meta.js';
import { DNF } from './dl3038-dnf-yes.js';
import { hasArg, operands, programCalls } from './program-calls.js';
import { eachRun } from './run-commands.js';

/**
 * hadolint's reading of `name-version`: some part after a `-` starts with a digit and every part after the
 * first is made of letters, digits and `.~^_:+` (`tomcat-9.0.1`; `python3-devel` is not pinned). A variable
 * counts as a version (`mysql-shell-$VERSION`), which hadolint's check does not see.
 */
function versionPinned(text: string): boolean {
  if (text.endsWith('.rpm')) return text.includes('-');
  const parts = text.split('-').slice(1);
  return parts.length > 0 && parts.every((p) => /^[\w.~^:+${}]*$/.test(p)) && parts.some((p) => /^[0-9$]/.test(p));
}

export const dl3041: Rule = {
  id: 'DL3041',
  group: 'practice',
  description: 'Specify version with `dnf install -y <package>-<version>`.',
  url: hadolintUrl('DL3041'),
  severity: 'warning',
  check({ model, report }) {
    for (const { run, script, commands } of eachRun(model, 'dnf')) {
      // One finding per RUN, as hadolint has it, at its first unpinned package.
      let first: ShellToken | undefined;
      for (const call of programCalls(commands, DNF)) {
        if (!hasArg(call, 'install')) continue;
        // `dnf module install name:stream` pins with `:`; `dnf group install` names groups, not packages.
        const module = hasArg(call, 'module');
        if (!module && hasArg(call, 'group')) continue;
        for (const word of operands(call)) {
          const text = word.text;
          if (text === 'install' || text === 'module') continue;
          if (!(module ? text.includes(':') : versionPinned(text))) first ??= word;
        }
      }
      if (first !== undefined) report(script.range(first.start, first.end), dl3041.description, run);
    }
  },
};
