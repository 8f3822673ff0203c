import type { ShellToken } from '../../shell-commands.js';
import type { Rule } from '../../types.js';
import { hadolintUrl } from '../meta.js';
import { hasArg, operands, type ProgramCall, programCalls } from './program-calls.js';
import { reportFirstUnpinned } from './unpinned.js';

/** The packages of a `zypper install` without a version. */
function* unpinned(call: ProgramCall): Iterable<ShellToken> {
  if (!hasArg(call, 'install', 'in')) return;
  for (const word of operands(call)) {
    const text = word.text;
    if (text === 'install' || text === 'in') continue;
    // `pkg=1.2`, `pkg>=1.2`, `pkg<2` and a local `.rpm` count as pinned.
    if (!/[=<>]/.test(text) && !text.endsWith('.rpm')) yield word;
  }
}

export const dl3037: Rule = {
  id: 'DL3037',
  group: 'practice',
  description: 'Specify version with `zypper install -y <package>=<version>`.',
  url: hadolintUrl('DL3037'),
  severity: 'warning',
  check(context) {
    reportFirstUnpinned(
      context,
      { needle: 'zypper', calls: (commands) => programCalls(commands, 'zypper'), unpinned },
      dl3037.description,
    );
  },
};
