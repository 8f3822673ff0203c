// Step tracing for benchmarks: with TSBUILD_TRACE set, each step prints how long each of its phases took
// (stderr, `[trace] <phase> <ms>ms`; bench/build.ts and bench/run-step.ts read these lines). TSBUILD_TRACE=at
// appends when the phase ended (` at <ms>ms` since the process started), to see what overlaps in a build.

/** A step's phase clock: `trace(phase)` ends a phase; `restart()` starts the next one now, untraced (a wait). */
export interface PhaseTrace {
  (phase: string): void;
  restart(): void;
}

export function phaseTimer(): PhaseTrace {
  if (!process.env.TSBUILD_TRACE) return Object.assign(() => {}, { restart: () => {} });
  let last = performance.now();
  const trace = (phase: string) => {
    const now = performance.now();
    const at = process.env.TSBUILD_TRACE === 'at' ? ` at ${now.toFixed(0)}ms` : '';
    process.stderr.write(`[trace] ${phase} ${(now - last).toFixed(1)}ms${at}\n`);
    last = now;
  };
  return Object.assign(trace, {
    restart: () => {
      last = performance.now();
    },
  });
}

/** A one-off `[trace] <message>` line under TSBUILD_TRACE (e.g. why a fast path was not taken). */
export function traceNote(message: string): void {
  if (process.env.TSBUILD_TRACE) process.stderr.write(`[trace] ${message}\n`);
}
