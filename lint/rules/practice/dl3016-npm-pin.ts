import type { ShellToken } from '../../shell-commands.js';
import type { Rule } from '../../types.js';
import { hadolintUrl } from '../meta.js';
import { operands, type ProgramCall, programCalls } from './program-calls.js';
import { reportFirstUnpinned } from './unpinned.js';

const GIT = ['git://', 'git+ssh://', 'git+http://', 'git+https://'];
const TARBALL = ['.tar', '.tar.gz', '.tgz'];
const FOLDER = ['/', './', '../', '~/'];

/** `pkg@1`, `@scope/pkg@tag`, a git URL with `#commit`, a tarball or a folder. */
function pinned(spec: string): boolean {
  if (GIT.some((p) => spec.startsWith(p))) return spec.includes('#');
  if (TARBALL.some((s) => spec.endsWith(s)) || FOLDER.some((p) => spec.startsWith(p))) return true;
  const name = spec.startsWith('@') ? spec.slice(spec.indexOf('/') + 1) : spec;
  return name.includes('@');
}

/** The packages of an `npm install` without a version. */
function* unpinned(call: ProgramCall): Iterable<ShellToken> {
  // Only `npm install …` itself (not `npm run install`); without packages it installs package.json's.
  const words = operands(call, 'loglevel');
  if (words[0]?.text !== 'install') return;
  for (const word of words.slice(1)) {
    if (word.text !== 'install' && !pinned(word.text)) yield word;
  }
}

export const dl3016: Rule = {
  id: 'DL3016',
  group: 'practice',
  description: 'Pin versions in npm. Instead of `npm install <package>` use `npm install <package>@<version>`',
  url: hadolintUrl('DL3016'),
  severity: 'warning',
  check(context) {
    reportFirstUnpinned(
      context,
      { needle: 'npm', calls: (commands) => programCalls(commands, 'npm'), unpinned },
      dl3016.description,
    );
  },
};
