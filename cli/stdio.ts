// Standard output and error written with write(2) on fds 1 and 2. The first touch of `process.stdout` or
// `process.stderr` builds a stream object, and on a pipe (how CI and the benchmarks run tsbuild) that loads
// node:net and the stream machinery: ~7 % of a cached build's whole run. Node writes to files, pipes and
// terminals synchronously on Linux anyway, so the order of lines is the same either way.
import { fstatSync, writeSync } from 'node:fs';

type Fd = 1 | 2;

const streamOf = (fd: Fd): NodeJS.WriteStream => (fd === 1 ? process.stdout : process.stderr);

/**
 * A writer for fd 1 or 2. A descriptor that will not take the bytes now (EAGAIN: left non-blocking by whoever
 * shares it) or fails in any other way (EPIPE…) hands the rest, and every later write, to Node's own stream,
 * which queues, retries and reports errors as before.
 */
export function fdWriter(fd: Fd): (text: string) => void {
  let direct = true;
  return (text) => {
    if (!direct) {
      streamOf(fd).write(text);
      return;
    }
    const bytes = Buffer.from(text, 'utf8');
    let done = 0;
    try {
      while (done < bytes.length) done += writeSync(fd, bytes, done);
    } catch {
      direct = false;
      streamOf(fd).write(bytes.subarray(done));
    }
  };
}

/**
 * The terminal behind fd 2, if any, without creating `process.stderr` when fd 2 is a pipe or a file: a terminal
 * is always a character device, so only then is the stream asked.
 */
export function stderrTerminal(): { readonly isTTY?: boolean; readonly columns?: number; readonly rows?: number } {
  let isCharDevice = true;
  try {
    isCharDevice = fstatSync(2).isCharacterDevice();
  } catch {
    // fd 2 closed or unreadable: ask the stream, as before.
  }
  if (!isCharDevice) return { isTTY: false };
  return process.stderr;
}
