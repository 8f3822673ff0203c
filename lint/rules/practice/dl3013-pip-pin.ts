import type { ShellToken } from '../../shell-commands.js';
import type { Rule } from '../../types.js';
import { hadolintUrl } from '../meta.js';
import { pipInstalls } from './pip.js';
import { hasArg, hasFlag, operands, type ProgramCall } from './program-calls.js';
import { reportFirstUnpinned } from './unpinned.js';

// pip options whose value is the next word (`--target /opt x==1`), not a package.
const VALUE_FLAGS = [
  'abi',
  'b',
  'build',
  'e',
  'editable',
  'extra-index-url',
  'f',
  'find-links',
  'i',
  'index-url',
  'implementation',
  'no-binary',
  'only-binary',
  'platform',
  'prefix',
  'progress-bar',
  'proxy',
  'python-version',
  'root',
  'src',
  't',
  'target',
  'trusted-host',
  'upgrade-strategy',
];
const VERSION_SYMBOLS = ['==', '>=', '<=', '>', '<', '!=', '~=', '==='];

/** `a==1`, `a>=1` …, `git+https://…@tag`, or a local wheel or sdist. */
function pinned(spec: string): boolean {
  return (
    VERSION_SYMBOLS.some((s) => spec.includes(s)) ||
    (spec.includes('git+http') && spec.includes('@')) ||
    spec.endsWith('.whl') ||
    spec.endsWith('.tar.gz')
  );
}

/** The packages of a `pip install` without a version (none when a requirements or constraints file decides). */
function* unpinned(call: ProgramCall): Iterable<ShellToken> {
  // A requirements file, the local project or a constraints file decides the versions.
  if (hasArg(call, '-r', '--requirement', '.') || hasFlag(call, 'c', 'constraint')) return;
  const words = operands(call, ...VALUE_FLAGS);
  // The packages are what follows `install` (`python -m pip install x` has `pip` before it).
  const install = words.findIndex((w) => w.text === 'install');
  for (const word of words.slice(install + 1)) {
    if (word.text !== 'install' && !pinned(word.text)) yield word;
  }
}

export const dl3013: Rule = {
  id: 'DL3013',
  group: 'practice',
  description:
    'Pin versions in pip. Instead of `pip install <package>` use `pip install <package>==<version>` or `pip install --requirement <requirements file>`',
  url: hadolintUrl('DL3013'),
  severity: 'warning',
  check(context) {
    reportFirstUnpinned(
      context,
      { needle: 'pip', calls: (commands) => pipInstalls(commands, true), unpinned },
      dl3013.description,
    );
  },
};
