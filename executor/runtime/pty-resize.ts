// Resizes the private terminal of `run -t` (spawned-run.ts) when the caller's terminal is resized, as docker's
// client does for `docker run -t`. runc's host console there is the pty that script(1) made: script copies a size
// change only from a terminal on its own stdin, and ours is a pipe. So tsbuild sets the new size on that pty
// itself; the kernel then signals the pty's foreground process group (runc), and runc resizes the container's
// console from it, as with `-it`.
import { readFile, readlink } from 'node:fs/promises';
import { launch } from './launcher.js';

export interface TerminalSize {
  readonly rows: number;
  readonly cols: number;
}

/** Sets `size` on the terminal of the process that `scriptPid` (script(1)) started; nothing if it is gone. */
export async function resizeScriptTerminal(scriptPid: number, size: TerminalSize): Promise<void> {
  if (!(size.rows > 0 && size.cols > 0)) return;
  try {
    const children = await readFile(`/proc/${scriptPid}/task/${scriptPid}/children`, 'utf8');
    const child = children.trim().split(/\s+/)[0];
    if (child === undefined || !/^\d+$/.test(child)) return;
    // Its stdin is the pty's slave side (the shell script started, exec'd into the runtime).
    const pty = await readlink(`/proc/${child}/fd/0`);
    if (!/^\/dev\/pts\/\d+$/.test(pty)) return;
    await launch('stty', ['-F', pty, 'rows', String(size.rows), 'cols', String(size.cols)]);
  } catch {
    // the container has ended meanwhile
  }
}
