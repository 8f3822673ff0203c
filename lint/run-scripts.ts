// The shell scripts a RUN executes, with a way back to source ranges: the shell-form command line, and the
// bodies of heredocs when the line itself is only heredoc markers (`RUN <<EOF`) or a shell reading them.
import type { Range, RunInstruction } from '../parser/index.js';
import type { LintModel } from './model.js';

export interface RunScript {
  readonly script: string;
  range(from: number, to: number): Range;
}

const SHELLS = /^(?:\/\S*\/)?(?:sh|bash|ash|dash|zsh)$/;

export function runScripts(model: LintModel, run: RunInstruction): RunScript[] {
  if (run.form !== 'shell' || run.command.length === 0) return [];
  const line = run.command[0];
  const scripts: RunScript[] = [];
  const withoutMarkers = line.value.includes('<<') ? line.value.replace(/(?:^|\s)\d*<<-?\S+/g, '').trim() : line.value;
  if (withoutMarkers !== '') {
    scripts.push({ script: line.value, range: (from, to) => model.sub(line.range, line.value, from, to) });
  }
  if (withoutMarkers === '' || SHELLS.test(withoutMarkers.split(/\s+/)[0])) {
    for (const heredoc of run.heredocs) {
      const base = heredoc.range.start.offset;
      scripts.push({ script: heredoc.content, range: (from, to) => model.lines.range(base + from, base + to) });
    }
  }
  return scripts;
}
