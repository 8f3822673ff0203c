// A named pipe for the output of a command tsbuild does not spawn itself (see launcher.ts): the
// command's stdout or stderr is the FIFO, tsbuild reads the other end. tsbuild also holds a write end
// until the command has exited, so the reader sees neither an early end (before the command opened
// the FIFO) nor a premature one; once that end is closed, EOF comes when the last writer (the
// container's last process) is gone, as with an ordinary pipe.
import { closeSync, constants, openSync } from 'node:fs';
import { Socket } from 'node:net';
import path from 'node:path';
import { launch, launcherDir } from './launcher.js';
import { helperFifos, syscallHelper } from './syscalls.js';

export interface FifoOutput {
  /** Called once the command has exited: from then on the FIFO ends with its last writer. */
  releaseWriter(): Promise<void>;
  /** Resolves when everything written has been delivered and the last writer is gone. */
  readonly drained: Promise<void>;
  /** Stops reading at once (on failure). */
  destroy(): void;
}

/**
 * Opens the existing FIFO `file` and delivers what arrives to `onData`. The FIFO's opens and closes are blocking
 * calls: on a FIFO of ours, opened non-blocking, they return at once, while through libuv's pool each could wait
 * behind the previous step's commit (its fsyncs), which starts as this step's runtime does.
 */
export async function readFifo(file: string, onData: (chunk: Buffer) => void): Promise<FifoOutput> {
  // Non-blocking, so that opening does not wait for a writer; the socket switches to event-driven reads.
  const readFd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  let writeFd: number | undefined;
  try {
    writeFd = openSync(file, constants.O_WRONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch (error) {
    closeSync(readFd);
    throw error;
  }
  const socket = new Socket({ fd: readFd, readable: true, writable: false, allowHalfOpen: true });
  socket.on('data', onData);
  const drained = new Promise<void>((resolve, reject) => {
    socket.on('error', reject);
    socket.on('close', () => resolve());
  });
  const releaseWriter = async () => {
    if (writeFd === undefined) return;
    const fd = writeFd;
    writeFd = undefined;
    closeSync(fd);
  };
  return {
    releaseWriter,
    drained,
    destroy() {
      void releaseWriter().catch(() => {});
      socket.destroy();
    },
  };
}

/** Idle FIFOs by launcher directory: making one costs a process, and a drained FIFO is as good as new. */
const idle = new Map<string, string[]>();
let made = 0;
/** FIFOs being made ahead (`prepareFifos`): a taker waits for them rather than making its own. */
let preparing: Promise<void> | undefined;

/** `count` FIFOs in the launcher's private directory, reused when idle ones are there. */
export async function takeFifos(count: number): Promise<string[]> {
  await preparing;
  const dir = launcherDir();
  for (const other of idle.keys()) if (other !== dir) idle.delete(other); // of a launcher that died
  const pool = idle.get(dir) ?? [];
  idle.set(dir, pool);
  const taken = pool.splice(0, count);
  const fresh = Array.from({ length: count - taken.length }, () => path.join(dir, `fifo-${++made}`));
  if (fresh.length > 0) {
    const result = await launch('mkfifo', ['-m', '0600', ...fresh]);
    if (result.exitCode !== 0) {
      pool.push(...taken);
      throw new Error(`cannot create output pipes: ${result.stderr}`);
    }
  }
  return [...taken, ...fresh];
}

/**
 * Starts the launcher and makes `count` FIFOs ahead of need (a build about to run a RUN step calls it while it does
 * other work), and starts the syscall helper (its two FIFOs come from the same `mkfifo`): the launcher's fork, the
 * `mkfifo` and perl's start are then off the first container's path. Never fails.
 */
export async function prepareFifos(count: number): Promise<void> {
  const made = takeFifos(count + helperFifos).then(returnFifos, () => {
    // the RUN step makes its own, and reports why it cannot
  });
  // Set after takeFifos started: it must not wait for itself. The helper's start and a RUN step that comes first
  // (the Dockerfile's first step is a RUN) take from these instead of starting a mkfifo each.
  preparing = made;
  void syscallHelper();
  await made;
  if (preparing === made) preparing = undefined;
}

/** Hands back FIFOs whose readers saw the end: no writer is left, so the next command starts clean. */
export function returnFifos(fifos: readonly string[]): void {
  for (const fifo of fifos) idle.get(path.dirname(fifo))?.push(fifo);
}
