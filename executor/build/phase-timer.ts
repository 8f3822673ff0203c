// Step tracing for benchmarks: with TSBUILD_TRACE set, each step prints how long each of its phases took
// (stderr, `[trace] <phase> <ms>ms`; bench/build.ts and bench/run-step.ts read these lines).

export function phaseTimer(): (phase: string) => void {
  if (!process.env.TSBUILD_TRACE) return () => {};
  let last = performance.now();
  return (phase) => {
    const now = performance.now();
    process.stderr.write(`[trace] ${phase} ${(now - last).toFixed(1)}ms\n`);
    last = now;
  };
}

/** A one-off `[trace] <message>` line under TSBUILD_TRACE (e.g. why a fast path was not taken). */
export function traceNote(message: string): void {
  if (process.env.TSBUILD_TRACE) process.stderr.write(`[trace] ${message}\n`);
}
