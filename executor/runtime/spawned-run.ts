// `runc run` spawned from Node instead of the launcher, for the containers of `tsbuild run` that need
// more than two output pipes: one reading tsbuild's stdin (`-i`), or one with a pseudo-terminal (`-t`).
//
// A terminal is runc's "foreground, new terminal" mode (runc's docs/terminals.md): runc makes the pty
// inside the container and copies between its master and runc's own stdin/stdout, with the first of
// runc's stderr, stdout, stdin that is a terminal (else /dev/tty) as the host console, which it puts in
// raw mode, sizes the container's console from (again on SIGWINCH) and restores when it exits. No
// --console-socket, so no file descriptor has to be received over a socket (which Node cannot do).
//  - 'caller': runc gets tsbuild's own stdin and stdout, the user's terminal (`run -it`). Raw mode
//    sends every key to the container: Ctrl-C interrupts the container's foreground process, not us.
//  - 'private': runc runs inside a pty of its own made by script(1) (util-linux, in every Debian), where
//    nothing is typed: the container's output reaches onStdout, the caller's terminal stays as it was
//    (`run -t` without -i, as docker leaves it: Ctrl-C is tsbuild's, which relays it to the container).
// In both, runc's own stderr is a pipe (so it is never the host console), read as the container's stderr.
import { type ChildProcess, type StdioOptions, spawn } from 'node:child_process';
import { resizeContainerConsole, type TerminalSize } from './pty-resize.js';
import type { RunContainerOptions } from './runc.js';
import { runtimeCommand } from './runtime-command.js';
import { RuntimeError } from './runtime-error.js';
import type { StartGate } from './start-gate.js';

export type ContainerTerminal = 'caller' | 'private';

export interface SpawnedRun {
  readonly runtime: string;
  readonly args: readonly string[];
  readonly options: RunContainerOptions;
  /** Kills the container (`runc kill --all`): what an abort does first. */
  readonly killContainer: () => void;
  /** Runs what needs the container's process (a terminal's resizes) once it runs. */
  readonly gate?: StartGate;
}

export interface SpawnedResult {
  readonly exitCode: number;
  readonly aborted: boolean;
}

interface Invocation {
  readonly command: string;
  readonly args: readonly string[];
  readonly stdio: StdioOptions;
  readonly detached: boolean;
  readonly env?: NodeJS.ProcessEnv;
}

/** Single-quoted for sh, whatever the word holds. */
export function shellWord(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

function invocationOf({ runtime, args, options }: SpawnedRun): Invocation {
  const runc = runtimeCommand(runtime, args);
  if (options.terminal === 'caller') {
    return { ...runc, stdio: [0, 1, 'pipe'], detached: false };
  }
  if (options.terminal === 'private') {
    // The pty's size is set before runc starts: runc sizes the container's console from it.
    const size = options.spec.process.consoleSize;
    const resize = size === undefined ? '' : `stty rows ${size.height} cols ${size.width} 2>/dev/null; `;
    const command = [runc.command, ...runc.args].map(shellWord).join(' ');
    return {
      command: 'script',
      // -q: no "Script started" lines; -e: runc's exit status; runc's stderr is fd 3, a pipe of ours.
      args: ['-q', '-e', '-c', `${resize}exec ${command} 2>&3 3>&-`, '/dev/null'],
      // Nothing is typed into the pty (crun wants it as its stdin too); script's stdin stays an open
      // pipe, since at its end script would type the EOF character.
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
      // Its own process group: Ctrl-C on the caller's terminal reaches tsbuild only, which relays it (run.ts).
      detached: true,
      env: { ...process.env, SHELL: '/bin/sh' },
    };
  }
  return { ...runc, stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], detached: false };
}

/** Runs `runtime args…` to its end; an abort kills the container (and runc itself if it does not follow). */
export function spawnRun(run: SpawnedRun): Promise<SpawnedResult> {
  const { options } = run;
  const invocation = invocationOf(run);
  return new Promise((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = spawn(invocation.command, invocation.args, {
        stdio: invocation.stdio,
        detached: invocation.detached,
        ...(invocation.env === undefined ? {} : { env: invocation.env }),
      });
    } catch (error) {
      reject(new RuntimeError(`cannot start ${invocation.command}: ${(error as Error).message}`, -1));
      return;
    }
    options.onStarted?.();
    const unsubscribe =
      options.terminal === undefined || run.gate === undefined ? undefined : followResizes(run.gate, options);
    // With script(1), its own complaints are on its stderr and runc's on fd 3.
    const errorStreams = options.terminal === 'private' ? [child.stderr, child.stdio[3]] : [child.stderr];
    if (options.terminal === undefined && options.stdin !== undefined && child.stdin !== null) {
      // The container may exit before reading everything; a closed pipe is not an error of ours.
      child.stdin.on('error', () => {});
      options.stdin.pipe(child.stdin);
    }
    let aborted = false;
    let forceTimer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      aborted = true;
      run.killContainer();
      // If the container was not created yet, runc itself must go; `delete -f` cleans up after it.
      forceTimer = setTimeout(() => child.kill('SIGKILL'), 2000);
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout?.on('data', (chunk: Buffer) => options.onStdout?.(chunk));
    for (const stream of errorStreams) {
      (stream as NodeJS.ReadableStream | null)?.on('data', (chunk: Buffer) => options.onStderr?.(chunk));
    }
    child.on('error', (error) => {
      options.signal?.removeEventListener('abort', onAbort);
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      const what = invocation.command === 'script' ? 'script(1) (util-linux), which runs -t without -i' : '';
      reject(new RuntimeError(`cannot start ${what || invocation.command}: ${error.message}`, missing ? 127 : -1));
    });
    child.on('close', (code, signal) => {
      unsubscribe?.();
      options.signal?.removeEventListener('abort', onAbort);
      if (forceTimer !== undefined) clearTimeout(forceTimer);
      child.stdin?.destroy();
      resolve({ exitCode: code ?? 128 + signalNumber(signal), aborted });
    });
  });
}

/**
 * The container's console takes each size the caller's terminal takes (pty-resize.ts), one after the other so that
 * the last one stays; a size taken while runc creates the container is set once its process runs.
 */
function followResizes(gate: StartGate, options: RunContainerOptions): (() => void) | undefined {
  let resizing = Promise.resolve();
  return options.onTerminalResize?.((size: TerminalSize) =>
    gate.whenRunning((pid) => {
      resizing = resizing.then(() => resizeContainerConsole(pid, size));
    }),
  );
}

function signalNumber(signal: NodeJS.Signals | null): number {
  const numbers: Partial<Record<NodeJS.Signals, number>> = { SIGKILL: 9, SIGTERM: 15, SIGINT: 2, SIGHUP: 1 };
  return (signal && numbers[signal]) ?? 9;
}
