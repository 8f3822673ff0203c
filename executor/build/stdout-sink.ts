// An archive written to standard output (`--output dest=-`): the reader may go away before the end (`| head`),
// and every write after that fails with EPIPE. The pipeline that writes reports the first failure, as the
// build's error; the socket emits its error again later, with nobody listening any more, which Node turns into
// a crash with a stack trace. A listener kept for the life of the process takes those.

let guarded = false;

/** process.stdout, with its late errors taken care of (the writer's pipeline reports the one that matters). */
export function stdoutSink(): NodeJS.WriteStream {
  if (!guarded) {
    process.stdout.on('error', () => {});
    guarded = true;
  }
  return process.stdout;
}
