// The live build display of `docker build` on a terminal (`--progress tty`, and `auto` on a TTY): a
// header with the elapsed time and finished/seen steps, one line per step with its timer at the right
// edge, `CACHED`/`ERROR` marks, and under a running step its notes and the last lines of its output.
// The whole frame is redrawn in place (cursor up, erase line) on a timer and when a step ends; a finished
// step collapses to its one line with its duration. When the frame is taller than the terminal, the
// oldest finished steps scroll away first. The last frame says FINISHED (or ERROR) and stays.
import { monotonicMs, type Progress, type StepProgress } from './progress.js';
import { StepLog } from './step-log.js';

export interface TtyStream {
  write(text: string): void;
  /** Terminal size (default 80×24); read at every frame, so a resize is followed. */
  readonly columns?: number;
  readonly rows?: number;
}

export interface TtyProgressOptions {
  readonly clock?: () => number;
  /** Redraw period in ms (default 100); 0: only on step changes and `refresh()` (tests). */
  readonly intervalMs?: number;
  /** Output lines shown under a running step (default 6, as BuildKit). */
  readonly tailLines?: number;
}

export interface TtyProgress extends Progress {
  /** Draws the current frame now. */
  refresh(): void;
  /** Draws the final frame and stops the timer; later calls do nothing. */
  close(failed?: boolean): void;
}

type State = 'running' | 'done' | 'cached' | 'error';

interface Row {
  readonly name: string;
  readonly started: number;
  ended: number | null;
  state: State;
  notes: string[];
  tail: string[];
  partial: string;
}

const up = (n: number) => (n > 0 ? `\x1b[${n}A` : '');
const eraseLine = '\x1b[2K';
const eraseBelow = '\x1b[J';
const seconds = (ms: number) => `${(Math.max(0, ms) / 1000).toFixed(1)}s`;

/** ` => NAME ...padding... 1.2s`, cut to the terminal width (the timer always shows). */
function stepLine(prefix: string, name: string, timer: string, width: number): string {
  const text = ` => ${prefix}${name}`.replace(/[\r\n\t]/g, ' ');
  const room = width - timer.length - 1;
  if (room < 8) return text.slice(0, width);
  const body = text.length > room ? `${text.slice(0, room - 3)}...` : text.padEnd(room);
  return `${body} ${timer}`;
}

function detailLine(text: string, width: number): string {
  const line = ` => => ${text}`.replace(/[\r\t]/g, ' ');
  return line.length > width ? line.slice(0, width) : line;
}

/** A terminal dimension, or `fallback` when it is unknown: a pty nobody sized (`script`, some CI runners) says 0. */
const sizeOr = (n: number | undefined, fallback: number): number => (n !== undefined && n > 0 ? n : fallback);

export function ttyProgress(stream: TtyStream, options: TtyProgressOptions = {}): TtyProgress {
  const clock = options.clock ?? monotonicMs;
  const tailLines = options.tailLines ?? 6;
  const started = clock();
  const rows: Row[] = [];
  let drawn = 0;
  let closed = false;
  let outcome: 'FINISHED' | 'ERROR' | null = null;

  const frame = (): string[] => {
    const now = clock();
    const width = Math.max(20, sizeOr(stream.columns, 80));
    const finished = rows.filter((r) => r.state !== 'running').length;
    const header = `[+] Building ${seconds(now - started)} (${finished}/${rows.length})${outcome ? ` ${outcome}` : ''}`;
    const blocks = rows.map((row) => {
      const prefix = row.state === 'cached' ? 'CACHED ' : row.state === 'error' ? 'ERROR ' : '';
      const lines = [stepLine(prefix, row.name, seconds((row.ended ?? now) - row.started), width)];
      if (row.state === 'running') {
        for (const note of row.notes) lines.push(detailLine(note, width));
        const tail = row.partial === '' ? row.tail : [...row.tail, row.partial];
        for (const out of tail.slice(-tailLines)) lines.push(detailLine(`# ${out}`, width));
      }
      return { row, lines };
    });
    // Taller than the terminal: finished steps scroll away, oldest first; running ones stay.
    const height = Math.max(3, sizeOr(stream.rows, 24)) - 1;
    let total = 1 + blocks.reduce((n, b) => n + b.lines.length, 0);
    const shown = [...blocks];
    for (let i = 0; i < shown.length && total > height; ) {
      if (shown[i].row.state === 'running') {
        i++;
        continue;
      }
      total -= shown[i].lines.length;
      shown.splice(i, 1);
    }
    return [header, ...shown.flatMap((b) => b.lines)];
  };

  const draw = () => {
    const lines = frame();
    stream.write(`${up(drawn)}${lines.map((l) => `${eraseLine}${l}\n`).join('')}${eraseBelow}`);
    drawn = lines.length;
  };

  const timer = (options.intervalMs ?? 100) > 0 ? setInterval(draw, options.intervalMs ?? 100) : null;
  timer?.unref();

  const end = (row: Row, state: State) => {
    if (row.state !== 'running') return;
    row.state = state;
    row.ended = clock();
    if (!closed) draw();
  };

  return {
    step(name: string): StepProgress {
      const row: Row = { name, started: clock(), ended: null, state: 'running', notes: [], tail: [], partial: '' };
      rows.push(row);
      if (!closed) draw();
      const log = new StepLog(row.started, clock);
      return {
        outputTail: () => log.lastLines(),
        output(chunk) {
          log.write(chunk);
          const lines = (row.partial + chunk.toString('utf8')).split('\n');
          row.partial = lines.pop() ?? '';
          row.tail.push(...lines);
          // Only the tail is ever shown: keep memory flat for chatty steps.
          if (row.tail.length > tailLines) row.tail.splice(0, row.tail.length - tailLines);
        },
        note(text) {
          row.notes.push(text);
        },
        cached: () => end(row, 'cached'),
        done: () => end(row, 'done'),
        error: () => {
          log.flush();
          end(row, 'error');
        },
      };
    },
    refresh() {
      if (!closed) draw();
    },
    close(failed = false) {
      if (closed) return;
      if (timer !== null) clearInterval(timer);
      outcome = failed || rows.some((r) => r.state === 'error') ? 'ERROR' : 'FINISHED';
      draw();
      closed = true;
    },
  };
}
