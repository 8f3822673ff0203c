// Follows the caller's terminal's size in a container's console (`run -t`, `run -it`: spawned-run.ts), as docker's
// client does. tsbuild sets the new size on the container's console itself, and the kernel signals the container's
// foreground process group. Neither runtime does it for every mode: with `-t` alone, runc's host console is the pty
// that script(1) made, and script copies a size change only from a terminal on its own stdin (ours is a pipe); and
// crun (1.8) only forwards a SIGWINCH it gets (`-it`) without resizing. Where runc did it already (`-it`), the size
// does not change again and the kernel sends no second signal.
import { readlink } from 'node:fs/promises';
import { launch } from './launcher.js';

export interface TerminalSize {
  readonly rows: number;
  readonly cols: number;
}

/** Sets `size` on the terminal of the container's process `containerPid` (its stdin); nothing if it is gone. */
export async function resizeContainerConsole(containerPid: number, size: TerminalSize): Promise<void> {
  if (!(size.rows > 0 && size.cols > 0)) return;
  // Opened through /proc: the pty lives in the container's own devpts. The process is untrusted, so its stdin must
  // still be a pty (of the container's devpts, the only ones it can open) for tsbuild to touch it.
  const stdin = `/proc/${containerPid}/fd/0`;
  try {
    if (!/^\/dev\/pts\/\d+$/.test(await readlink(stdin))) return;
    await launch('stty', ['-F', stdin, 'rows', String(size.rows), 'cols', String(size.cols)]);
  } catch {
    // the container has ended meanwhile
  }
}
