import type { ShellToken } from '../../shell-commands.js';
import type { Rule } from '../../types.js';
import { hadolintUrl } from '../meta.js';
import { DNF } from './dl3038-dnf-yes.js';
import { hasArg, operands, type ProgramCall, programCalls } from './program-calls.js';
import { reportFirstUnpinned } from './unpinned.js';

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

/** The packages of a `dnf install` without a version. */
function* unpinned(call: ProgramCall): Iterable<ShellToken> {
  if (!hasArg(call, 'install')) return;
  // `dnf module install name:stream` pins with `:`; `dnf group install` names groups, not packages.
  const module = hasArg(call, 'module');
  if (!module && hasArg(call, 'group')) return;
  for (const word of operands(call)) {
    const text = word.text;
    if (text === 'install' || text === 'module') continue;
    if (!(module ? text.includes(':') : versionPinned(text))) yield word;
  }
}

export const dl3041: Rule = {
  id: 'DL3041',
  group: 'practice',
  description: 'Specify version with `dnf install -y <package>-<version>`.',
  url: hadolintUrl('DL3041'),
  severity: 'warning',
  check(context) {
    reportFirstUnpinned(
      context,
      { needle: 'dnf', calls: (commands) => programCalls(commands, DNF), unpinned },
      dl3041.description,
    );
  },
};
