import type { ShellToken } from '../../shell-commands.js';
import type { Rule } from '../../types.js';
import { hadolintUrl } from '../meta.js';
import { pipInstalls } from './pip.js';
import { hasArg, hasFlag, operands } from './program-calls.js';
import { eachRun } from './run-commands.js';

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

export const dl3013: Rule = {
  id: 'DL3013',
  group: 'practice',
  description:
    'Pin versions in pip. Instead of `pip install <package>` use `pip install <package>==<version>` or `pip install --requirement <requirements file>`',
  url: hadolintUrl('DL3013'),
  severity: 'warning',
  check({ model, report }) {
    for (const { run, script, commands } of eachRun(model, 'pip')) {
      // One finding per RUN, as hadolint has it, at its first unpinned package.
      let first: ShellToken | undefined;
      for (const call of pipInstalls(commands, true)) {
        // A requirements file, the local project or a constraints file decides the versions.
        if (hasArg(call, '-r', '--requirement', '.') || hasFlag(call, 'c', 'constraint')) continue;
        const words = operands(call, ...VALUE_FLAGS);
        // The packages are what follows `install` (`python -m pip install x` has `pip` before it).
        const install = words.findIndex((w) => w.text === 'install');
        for (const word of words.slice(install + 1)) {
          if (word.text === 'install' || pinned(word.text)) continue;
          first ??= word;
        }
      }
      if (first !== undefined) report(script.range(first.start, first.end), dl3013.description, run);
    }
  },
};
