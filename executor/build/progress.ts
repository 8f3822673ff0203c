// Build progress in the shape of `docker build --progress=plain`: every vertex gets a number, its
// lines are prefixed `#N`, RUN output carries the seconds since the step started, and each vertex
// ends with `CACHED`, `DONE <s>` or `ERROR: <message>`. Steps of concurrent stages interleave line by
// line, which the numbers keep readable.
import { StepLog } from './step-log.js';

export interface StepProgress {
  /** Output of the step (partial lines are held until complete). */
  output(chunk: Buffer): void;
  note(text: string): void;
  cached(): void;
  done(): void;
  error(message: string): void;
  /** The last lines of the step's output, stamped as docker build's error box shows them (step-log.ts). */
  outputTail?(): readonly string[];
}

export interface Progress {
  step(name: string): StepProgress;
  /** Ends the display (the tty one draws its final frame); plain and quiet have nothing to do. */
  close?(failed?: boolean): void;
}

/** Shows nothing; keeps each step's last lines for the error box (`-q` still prints it). */
export const silentProgress: Progress = {
  step: () => {
    const log = new StepLog(monotonicMs(), monotonicMs);
    return {
      output: (chunk) => log.write(chunk),
      note() {},
      cached() {},
      done() {},
      error: () => log.flush(),
      outputTail: () => log.lastLines(),
    };
  },
};

const seconds = (ms: number): string => (ms / 1000).toFixed(1);

/**
 * Milliseconds on a monotonic clock. Not `performance.now()`: the first read of the `performance` global loads
 * node:perf_hooks and a dozen internal modules, a few ms of every build's start-up.
 */
export const monotonicMs = (): number => Number(process.hrtime.bigint()) / 1e6;

export function plainProgress(write: (text: string) => void, clock: () => number = monotonicMs): Progress {
  let next = 1;
  return {
    step(name: string): StepProgress {
      const id = next++;
      const started = clock();
      write(`#${id} ${name}\n`);
      const log = new StepLog(started, clock, (stamped) => write(`#${id} ${stamped}\n`));
      const flush = () => log.flush();
      return {
        output: (chunk) => log.write(chunk),
        outputTail: () => log.lastLines(),
        note(text) {
          write(`#${id} ${text}\n`);
        },
        cached() {
          write(`#${id} CACHED\n\n`);
        },
        done() {
          flush();
          write(`#${id} DONE ${seconds(clock() - started)}s\n\n`);
        },
        error(message) {
          flush();
          write(`#${id} ERROR: ${message}\n\n`);
        },
      };
    },
  };
}
