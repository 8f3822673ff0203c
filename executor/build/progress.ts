// Build progress in the shape of `docker build --progress=plain`: every vertex gets a number, its
// lines are prefixed `#N`, RUN output carries the seconds since the step started, and each vertex
// ends with `CACHED`, `DONE <s>` or `ERROR: <message>`. Steps of concurrent stages interleave line by
// line, which the numbers keep readable.

export interface StepProgress {
  /** Output of the step (partial lines are held until complete). */
  output(chunk: Buffer): void;
  note(text: string): void;
  cached(): void;
  done(): void;
  error(message: string): void;
}

export interface Progress {
  step(name: string): StepProgress;
  /** Ends the display (the tty one draws its final frame); plain and quiet have nothing to do. */
  close?(failed?: boolean): void;
}

export const silentProgress: Progress = {
  step: () => ({ output() {}, note() {}, cached() {}, done() {}, error() {} }),
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
      let partial = '';
      write(`#${id} ${name}\n`);
      const line = (text: string) => write(`#${id} ${((clock() - started) / 1000).toFixed(3)} ${text}\n`);
      const flush = () => {
        if (partial !== '') line(partial);
        partial = '';
      };
      return {
        output(chunk) {
          const lines = (partial + chunk.toString('utf8')).split('\n');
          partial = lines.pop() ?? '';
          for (const l of lines) line(l);
        },
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
