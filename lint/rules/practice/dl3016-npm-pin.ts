import type { ShellToken } from '../../shell-commands.js';
import type { Rule } from '../../types.js';
import { hadolintUrl } from '../meta.js';
import { operands, programCalls } from './program-calls.js';
import { eachRun } from './run-commands.js';

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

export const dl3016: Rule = {
  id: 'DL3016',
  group: 'practice',
  description: 'Pin versions in npm. Instead of `npm install <package>` use `npm install <package>@<version>`',
  url: hadolintUrl('DL3016'),
  severity: 'warning',
  check({ model, report }) {
    for (const { run, script, commands } of eachRun(model, 'npm')) {
      // One finding per RUN, as hadolint has it, at its first unpinned package.
      let first: ShellToken | undefined;
      for (const call of programCalls(commands, 'npm')) {
        // Only `npm install …` itself (not `npm run install`); without packages it installs package.json's.
        const words = operands(call, 'loglevel');
        if (words[0]?.text !== 'install') continue;
        for (const word of words.slice(1)) {
          if (word.text === 'install' || pinned(word.text)) continue;
          first ??= word;
        }
      }
      if (first !== undefined) report(script.range(first.start, first.end), dl3016.description, run);
    }
  },
};
