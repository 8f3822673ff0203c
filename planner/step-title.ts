// What docker build shows for a filesystem step after its `[i/n] ` (BuildKit's prefixCommand), and what its
// error box names a failed step by: the instruction as written with its keyword upper-cased and its variables
// expanded in the step's environment (uppercaseCmd(processCmdEnv(…))). RUN's lexer keeps quotes and leaves unset
// variables as written, and a secret mounted as an env variable shows as `****`; COPY, ADD and WORKDIR use the
// plain lexer. A RUN of one heredoc adds the first line of its body (summarizeHeredoc); an ONBUILD trigger is
// prefixed `ONBUILD `. When the text does not expand, it is shown as written.

import { expandWord, type Instruction } from '../parser/index.js';
import type { EnvList } from './env-list.js';
import type { StepOperation } from './types.js';

const titled = new Set(['run', 'copy', 'add', 'workdir']);

export function stepTitle(
  instr: Instruction,
  env: EnvList,
  escapeChar: '\\' | '`',
  operation: StepOperation,
  onbuild: boolean,
): string | undefined {
  if (!titled.has(instr.kind)) return undefined;
  let text = instr.original.trim();
  if (instr.kind === 'run' && instr.form !== 'exec' && instr.heredocs.length === 1) {
    // Only a command that is the heredoc alone (what run.ts runs as the body itself).
    const command = instr.command.map((w) => w.value).join(' ');
    if (/^[0-9]*<<-?\S+$/.test(command.trim())) text += ` (${summarizeHeredoc(instr.heredocs[0].content)})`;
  }
  const secrets = new Set(
    operation.type === 'run'
      ? operation.mounts.filter((m) => m.type === 'secret' && m.options.env !== undefined).map((m) => m.options.env)
      : [],
  );
  const isRun = instr.kind === 'run';
  const result = expandWord(text, (name) => (secrets.has(name) ? '****' : env.get(name)), {
    escapeChar,
    rawQuotes: isRun,
    skipUnsetEnv: isRun,
  });
  const expanded = result.ok ? result.value : text;
  const space = expanded.indexOf(' ');
  const upper = space < 0 ? expanded.toUpperCase() : expanded.slice(0, space).toUpperCase() + expanded.slice(space);
  return onbuild ? `ONBUILD ${upper}` : upper;
}

/** The first line of a heredoc body, with `...` when there are more (BuildKit's summarizeHeredoc). */
function summarizeHeredoc(doc: string): string {
  const lines = doc.trim().replaceAll('\r\n', '\n').split('\n');
  return lines.length > 1 ? `${lines[0]}...` : lines[0];
}
