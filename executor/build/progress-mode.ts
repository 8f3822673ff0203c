// `--progress auto|tty|plain|quiet` → a display. `auto` is the live tty display when stderr is a
// terminal (and TERM is not `dumb`), plain otherwise, as `docker build` decides.
import { type Progress, plainProgress, silentProgress } from './progress.js';
import { ttyProgress } from './progress-tty.js';

export type ProgressMode = 'auto' | 'tty' | 'plain' | 'quiet';

export interface ProgressTarget {
  write(text: string): void;
  readonly isTTY?: boolean;
  readonly columns?: number;
  readonly rows?: number;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export function progressFor(mode: ProgressMode, target: ProgressTarget): Progress {
  if (mode === 'quiet') return silentProgress;
  const terminal = target.isTTY === true && target.env?.TERM !== 'dumb';
  if (mode === 'tty' || (mode === 'auto' && terminal)) {
    return ttyProgress({
      write: (text) => target.write(text),
      get columns() {
        return target.columns;
      },
      get rows() {
        return target.rows;
      },
    });
  }
  return plainProgress((text) => target.write(text));
}
