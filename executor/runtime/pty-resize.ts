// Follows the caller's terminal's size in a container's console (`run -t`, `run -it`: spawned-run.ts), as docker's
// client does. Two terminals may need the new size:
// - with `-t` alone, runc's host console is the pty that script(1) made, and script copies a size change only from
//   a terminal on its own stdin (ours is a pipe): tsbuild sets it there (resizeScriptTerminal), and the kernel
//   signals the pty's foreground process group, the runtime;
// - runc then resizes the container's console from its host console, but crun (1.8) only forwards the SIGWINCH to
//   the container: tsbuild sets the size on the container's console itself too (resizeContainerConsole). Where the
//   runtime did it already, the size does not change again and the kernel sends no second signal.
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
    await setSize(pty, size);
  } catch {
    // the container has ended meanwhile
  }
}

/** Sets `size` on the terminal of the container's process `containerPid` (its stdin); nothing if it is gone. */
export async function resizeContainerConsole(containerPid: number, size: TerminalSize): Promise<void> {
  if (!(size.rows > 0 && size.cols > 0)) return;
  // Opened through /proc: the pty lives in the container's own devpts. The process is untrusted, so its stdin must
  // still be a pty (of the container's devpts, the only ones it can open) for tsbuild to touch it.
  const stdin = `/proc/${containerPid}/fd/0`;
  try {
    if (!/^\/dev\/pts\/\d+$/.test(await readlink(stdin))) return;
    await setSize(stdin, size);
  } catch {
    // the container has ended meanwhile
  }
}

function setSize(tty: string, size: TerminalSize): Promise<unknown> {
  return launch('stty', ['-F', tty, 'rows', String(size.rows), 'cols', String(size.cols)]);
}
