// `tsbuild run [--rm] [-e K=V]… [--env-file F]… [-v HOST:CONTAINER[:ro]]… [--mount SPEC]… [--tmpfs PATH]… [--read-only]
// [--cap-add C]… [--cap-drop C]… [--privileged] [-u USER] [-w DIR] [--entrypoint E] [--network host|none] [--add-host
// H:IP]… [--shm-size S] [--ulimit N=S[:H]]… [--hostname H] [--runtime R] [-i] [-t] IMAGE [CMD…]`: runs a container from
// an image in the local store, its output streamed as it comes, and exits with the container's exit code. `-t` gives
// the container a pseudo-terminal as docker does (docs/run.md); with `-i` it is connected to the caller's terminal,
// which stdin must then be. Failures to start use docker's codes: 125 (tsbuild's own error), 126 (command cannot be
// invoked), 127 (not found).
// There is no container list to keep a stopped container in, so every run is `--rm`.
import { isatty } from 'node:tty';
import { ContainerError, type ContainerTty, runImage, type TerminalSize } from '../../../executor/index.js';
import { defaultStoreRoot, Store } from '../../../image/index.js';
import { parseRunArgs, runUsage } from './args.js';
import { type ContainerSettings, containerSettings } from './container-settings.js';
import { givenInterrupt, processInterrupt, signalNumbers } from './interrupt.js';

export interface RunCliOptions {
  readonly image: string;
  readonly args: readonly string[];
  /** Accepted for docker compatibility; containers are always removed. */
  readonly rm?: boolean;
  /** `-i`: pass standard input to the container. */
  readonly interactive?: boolean;
  /** `-t`: the container gets a pseudo-terminal (with `-i`, connected to the caller's terminal). */
  readonly tty?: boolean;
  readonly env?: readonly string[];
  readonly user?: string;
  readonly workdir?: string;
  readonly entrypoint?: string;
  readonly network?: string;
  /** `--env-file FILE`, in order: their variables come before the `-e` ones (env-file.ts). */
  readonly envFiles?: readonly string[];
  /** `-v HOST:CONTAINER[:ro|rw]`, in order. */
  readonly volumes?: readonly string[];
  /** `--mount type=bind|tmpfs,…` and `--tmpfs PATH[:OPTIONS]`, in order (executor/container/mount-options.ts). */
  readonly mounts?: readonly string[];
  readonly tmpfs?: readonly string[];
  /** `--privileged`: as `RUN --security=insecure` runs (executor/runtime/privileged.ts). */
  readonly privileged?: boolean;
  /** `--cap-add` / `--cap-drop`, in order. */
  readonly capAdd?: readonly string[];
  readonly capDrop?: readonly string[];
  /** `--read-only`: the root filesystem is read-only. */
  readonly readOnly?: boolean;
  /** `--name`: accepted for docker command lines; tsbuild keeps no container to name. */
  readonly name?: string;
  /** `-p`: accepted with docker's warning, the container sharing the host's network (or having none). */
  readonly publish?: readonly string[];
  /** `--add-host`, `--shm-size`, `--ulimit`: read as `tsbuild build` reads them (build/run-options.ts). */
  readonly addHosts?: readonly string[];
  readonly shmSize?: string;
  readonly ulimits?: readonly string[];
  readonly hostname?: string;
  readonly runtime?: string;
  /** Store directory (default `$TSBUILD_ROOT`, `/var/lib/tsbuild` for root). */
  readonly root?: string;
}

export interface RunIo {
  stdout(data: string | Uint8Array): void;
  stderr(data: string | Uint8Array): void;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Cancels the run (the CLI wires SIGINT/SIGTERM to it); default: this process's signals. */
  readonly signal?: AbortSignal;
  /** What `-i` passes to the container (default: this process's stdin). */
  readonly stdin?: NodeJS.ReadableStream;
  /**
   * What `-t` needs to know of the caller's terminal (default: this process's). With `-it` the
   * container's terminal is connected to this process's own stdin and stdout, not to stdout().
   */
  readonly terminal?: CallerTerminal;
}

export interface CallerTerminal {
  /** `-it` needs the caller's stdin to be a terminal, as docker does. */
  readonly stdinIsTerminal: boolean;
  /** The size the container's console starts with: the caller's stdout's, when that is a terminal. */
  readonly size?: TerminalSize;
  /** Subscribes to that size's changes (returns the unsubscribe): the container's console follows them, as docker's. */
  readonly onResize?: (listener: (size: TerminalSize) => void) => () => void;
}

function processTerminal(): CallerTerminal {
  if (!process.stdout.isTTY) return { stdinIsTerminal: isatty(0) };
  const sizeNow = (): TerminalSize => {
    const [cols, rows] = process.stdout.getWindowSize();
    return { rows, cols };
  };
  // Node reports the terminal's SIGWINCH as a 'resize' of stdout.
  const onResize = (listener: (size: TerminalSize) => void) => {
    const resized = () => listener(sizeNow());
    process.stdout.on('resize', resized);
    return () => void process.stdout.off('resize', resized);
  };
  return { stdinIsTerminal: isatty(0), size: sizeNow(), onResize };
}

const processIo: RunIo = {
  stdout: (data) => process.stdout.write(data),
  stderr: (data) => process.stderr.write(data),
  env: process.env,
};

/** docker's words (and exit status 1) for `-it` when stdin is a pipe or a file. */
export const notATerminal = 'the input device is not a TTY';

/** `-it`: the caller's terminal ('caller'); `-t` alone: one whose output is streamed like any other. */
function ttyOf(opts: RunCliOptions, terminal: CallerTerminal): ContainerTty {
  const mode = opts.interactive === true ? 'caller' : 'private';
  return {
    mode,
    ...(terminal.size === undefined ? {} : { size: terminal.size }),
    ...(terminal.onResize === undefined ? {} : { onResize: terminal.onResize }),
  };
}

export async function run(opts: RunCliOptions, io: RunIo = processIo): Promise<number> {
  if (opts.network !== undefined && opts.network !== 'host' && opts.network !== 'none') {
    io.stderr(`Error: network ${opts.network} not supported: use host or none\n`);
    return 125;
  }
  // docker's words for ports given to a container on the host's network.
  if ((opts.publish ?? []).length > 0)
    io.stderr('WARNING: Published ports are discarded when using host network mode\n');
  const terminal = opts.tty === true ? (io.terminal ?? processTerminal()) : undefined;
  if (terminal !== undefined && opts.interactive === true && !terminal.stdinIsTerminal) {
    io.stderr(`${notATerminal}\n`);
    return 1;
  }
  let settings: ContainerSettings;
  try {
    settings = await containerSettings(opts, io.env);
  } catch (error) {
    io.stderr(`Error: ${(error as Error).message}\n`);
    return error instanceof ContainerError ? error.exitCode : 125;
  }
  const tty = terminal === undefined ? undefined : ttyOf(opts, terminal);
  const { signal, received, release, relayTo } =
    io.signal === undefined ? processInterrupt() : givenInterrupt(io.signal);
  // The container's stderr so far: the runtime writes its own failure there before tsbuild reports it.
  let shown = '';
  try {
    const store = await Store.open(opts.root ?? defaultStoreRoot(io.env as NodeJS.ProcessEnv));
    const result = await runImage({
      store,
      image: opts.image,
      args: opts.args,
      ...(opts.entrypoint === undefined ? {} : { entrypoint: opts.entrypoint }),
      ...settings,
      hostEnv: io.env,
      ...(opts.user === undefined ? {} : { user: opts.user }),
      ...(opts.workdir === undefined ? {} : { workdir: opts.workdir }),
      ...(opts.hostname === undefined ? {} : { hostname: opts.hostname }),
      ...(opts.runtime === undefined ? {} : { runtime: opts.runtime }),
      onStdout: (chunk) => io.stdout(chunk),
      onWarning: (message) => io.stderr(`WARNING: ${message}\n`),
      onStderr: (chunk) => {
        shown = (shown + Buffer.from(chunk).toString('utf8')).slice(-8192);
        io.stderr(chunk);
      },
      // With a 'caller' terminal runc reads our stdin itself: Node must not open it.
      ...(opts.interactive === true && tty === undefined ? { stdin: io.stdin ?? process.stdin } : {}),
      ...(tty === undefined ? {} : { tty }),
      signal,
      onRelay: (relay) => relayTo(relay),
    });
    const by = received();
    return result.aborted && by !== undefined ? 128 + signalNumbers[by] : result.exitCode;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // `runc: runc run failed: …` repeats the line runc printed to the same stderr a moment ago: said once, as docker does.
    const runtimeSaid = /^[\w./-]+: (.+)$/s.exec(message)?.[1];
    const repeated = error instanceof ContainerError && runtimeSaid !== undefined && shown.includes(runtimeSaid);
    if (!repeated) io.stderr(`Error: ${message}\n`);
    return error instanceof ContainerError ? error.exitCode : 125;
  } finally {
    release();
  }
}

/**
 * The whole command from its raw arguments (everything after `run`): what `main` calls, since
 * options stop at the image name. Usage errors exit 125, as docker's do.
 */
export async function runArgv(argv: readonly string[], io: RunIo = processIo): Promise<number> {
  const parsed = parseRunArgs(argv);
  if (parsed.kind === 'help') {
    io.stdout(runUsage);
    return 0;
  }
  if (parsed.kind === 'error') {
    io.stderr(`tsbuild: ${parsed.message}\nSee 'tsbuild run --help'.\n`);
    return 125;
  }
  return run(parsed.options, io);
}
