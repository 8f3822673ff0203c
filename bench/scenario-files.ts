// What the build benchmarks (build.ts, ab.ts) read of a scenario of /work/shared/bench: the file its one-change phase
// edits, and the line that edits it.
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** CHANGE_FILE of the scenario's scenario.env, relative to its context. */
export function changeFileOf(scenarioDir: string): string {
  const env = readFileSync(path.join(scenarioDir, 'scenario.env'), 'utf8');
  const match = /^CHANGE_FILE=(.+)$/m.exec(env);
  if (!match) throw new Error(`${path.basename(scenarioDir)}/scenario.env has no CHANGE_FILE`);
  return match[1].trim();
}

/** A line that stays a comment in the changed file's language (the file is copied, never run, by the build). */
export function changeLine(file: string, runIndex: number): string {
  const prefix = file.endsWith('.js')
    ? '// '
    : file.endsWith('.sh') || path.basename(file) === 'Dockerfile'
      ? '# '
      : '';
  return `${prefix}bench change ${runIndex}\n`;
}
