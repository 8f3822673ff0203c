// Captures tsbuild's `[trace]` lines (TSBUILD_TRACE, executor/build/phase-timer.ts) in a test's own process.

/** `[trace] <phase>` lines (TSBUILD_TRACE) as `trace <phase>` events, beside the test's own; returns the undo. */
export function traceInto(events: string[]): () => void {
  const previous = process.env.TSBUILD_TRACE;
  process.env.TSBUILD_TRACE = '1';
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    const phases = [...text.matchAll(/^\[trace\] (\S+) /gm)].map((m) => `trace ${m[1]}`);
    events.push(...phases);
    return phases.length > 0 ? true : write(chunk, ...rest);
  }) as typeof process.stderr.write;
  return () => {
    process.stderr.write = write;
    if (previous === undefined) delete process.env.TSBUILD_TRACE;
    else process.env.TSBUILD_TRACE = previous;
  };
}
