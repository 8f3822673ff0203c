// Step tracing for benchmarks: with TSBUILD_TRACE set, each step prints how long each of its phases took
// (stderr, `[trace] <phase> <ms>ms`; bench/build.ts and bench/run-step.ts read these lines). TSBUILD_TRACE=at
// appends when the phase ended (` at <ms>ms` since the process started), to see what overlaps in a build.

export function phaseTimer(): (phase: string) => void {
  if (!process.env.TSBUILD_TRACE) return () => {};
  let last = performance.now();
  return (phase) => {
    const now = performance.now();
    const at = process.env.TSBUILD_TRACE === 'at' ? ` at ${now.toFixed(0)}ms` : '';
    process.stderr.write(`[trace] ${phase} ${(now - last).toFixed(1)}ms${at}\n`);
    last = now;
  };
}

/** A one-off `[trace] <message>` line under TSBUILD_TRACE (e.g. why a fast path was not taken). */
export function traceNote(message: string): void {
  if (process.env.TSBUILD_TRACE) process.stderr.write(`[trace] ${message}\n`);
}
