// Runs one container with runc: writes the bundle, `runc run` in the foreground with the container's
// stdout/stderr streamed to callbacks, and `runc delete -f` whenever a container is left behind. runc's own messages go
// to a JSON log file so they never mix with the step's output. runc is started by the shared launcher
// (a fork of the Node process costs more than runc itself) with its output in FIFOs; only `run -i`
// and `run -t`, which need a stdin pipe or a terminal, spawn runc from Node (spawned-run.ts).
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { primeCgroupMigration } from './cgroup-prime.js';
import { type FifoOutput, readFifo, returnFifos, takeFifos } from './fifo-output.js';
import { type LaunchOptions, launch } from './launcher.js';
import { type OciSpec, specJson } from './oci-spec.js';
import type { TerminalSize } from './pty-resize.js';
import { defaultStateRoot, runtimeCommand, runtimeExecutable } from './runtime-command.js';
import { RuntimeError } from './runtime-error.js';
import { type ContainerTerminal, spawnRun } from './spawned-run.js';
import { type StartGate, startGate } from './start-gate.js';
import { noteWorkDone } from './work-done.js';

export { RuntimeError };

/** Where tsbuild's runc keeps container state, apart from other users of runc on the machine. */
export const defaultRuncStateRoot = defaultStateRoot('runc');

export interface RunContainerOptions {
  readonly spec: OciSpec;
  /** A directory for config.json and runc's log; created if missing, left in place. */
  readonly bundleDir: string;
  readonly id?: string;
  readonly runtime?: string;
  readonly stateRoot?: string;
  readonly onStdout?: (chunk: Buffer) => void;
  readonly onStderr?: (chunk: Buffer) => void;
  /** Piped to the container process's standard input (`run -i`); without it the container reads nothing. */
  readonly stdin?: NodeJS.ReadableStream;
  /**
   * For a spec with `process.terminal` (`run -t`): whose terminal runc proxies, the caller's own
   * (its stdin and stdout, `run -it`) or a private one whose output goes to onStdout (see spawned-run.ts).
   */
  readonly terminal?: ContainerTerminal;
  /** Aborting kills the container (SIGKILL) and resolves with its exit code. */
  readonly signal?: AbortSignal;
  /**
   * Called once the container is named with a function that sends a signal to its process (`runc kill ID SIG`), as
   * `docker run` proxies the signals it receives (a process that handles SIGTERM then shuts down as it would). A
   * signal given before the container runs is sent once it does (start-gate.ts).
   */
  readonly onRelay?: (relay: (signal: NodeJS.Signals) => void) => void;
  /**
   * For a terminal: subscribes to the size changes of the caller's terminal, which the container's console then
   * follows (pty-resize.ts); returns the unsubscribe.
   */
  readonly onTerminalResize?: (listener: (size: TerminalSize) => void) => () => void;
  /** Called once the runtime's process runs (it is creating the container), before the container process ends. */
  readonly onStarted?: () => void;
}

export interface RunContainerResult {
  readonly id: string;
  /** The container process's exit code; 128 + N when it died from signal N. */
  readonly exitCode: number;
  readonly aborted: boolean;
}

/** A short id, unique per run, that also names the container's cgroup. */
export function newContainerId(): string {
  return `tsb-${randomBytes(6).toString('hex')}`;
}

export async function runContainer(options: RunContainerOptions): Promise<RunContainerResult> {
  noteWorkDone();
  const id = options.id ?? newContainerId();
  const runtime = options.runtime ?? 'runc';
  if (!runtimeExecutable(runtime)) {
    throw new RuntimeError(
      `cannot run the OCI runtime ${runtime}: not found (install it, or name it with --runtime)`,
      127,
    );
  }
  const stateRoot = options.stateRoot ?? defaultStateRoot(runtime);
  const logFile = path.join(options.bundleDir, 'runc.log');
  // Written by runc once the container's process runs: when a relayed signal can be sent.
  const pidFile =
    options.onRelay === undefined && options.onTerminalResize === undefined
      ? undefined
      : path.join(options.bundleDir, 'container.pid');
  // Written while the output FIFOs open (launchForeground); a failure here is thrown as it is.
  const bundle = (async () => {
    await mkdir(options.bundleDir, { recursive: true });
    await Promise.all([
      ensureStateRoot(stateRoot),
      writeFile(path.join(options.bundleDir, 'config.json'), specJson(options.spec)),
      rm(logFile, { force: true }),
      pidFile === undefined ? undefined : rm(pidFile, { force: true }),
    ]);
  })();
  bundle.catch(() => {}); // awaited by runForeground, or right here
  if (options.signal?.aborted || options.stdin !== undefined || options.terminal !== undefined) await bundle;

  const global = ['--root', stateRoot, '--log', logFile, '--log-format', 'json'];
  const gate = pidFile === undefined ? undefined : startGate(pidFile, bundle);
  if (gate !== undefined) {
    options.onRelay?.((signal) => gate.whenRunning(() => void runQuiet(runtime, [...global, 'kill', id, signal])));
  }
  const run = ['run', ...(pidFile === undefined ? [] : ['--pid-file', pidFile]), '--bundle', options.bundleDir, id];
  try {
    if (options.signal?.aborted) return { id, exitCode: 137, aborted: true };
    const context = { id, global, options, bundle, ...(gate === undefined ? {} : { gate }) };
    // Beside the runtime's start: takes the wait of its first cgroup migration (cgroup-prime.ts).
    void primeCgroupMigration();
    const { exitCode, aborted } = await runForeground(runtime, [...global, ...run], context);
    // runc exits 0 only when it ran the container and the process succeeded: no log to read then.
    if (!aborted && exitCode !== 0) {
      const failure = await runtimeFailure(logFile);
      if (failure !== undefined) throw new RuntimeError(`${runtime}: ${failure}`, exitCode);
    }
    return { id, exitCode, aborted };
  } finally {
    gate?.close();
    // `runc run` removes a container that exited by itself; its state dir left behind means it did
    // not (abort, runtime failure), and only then is a second runc process worth its ~50 ms.
    // A blocking stat (the state root is on /run, a tmpfs): through the pool it could wait behind other steps' fsyncs.
    if (existsSync(path.join(stateRoot, id))) await runQuiet(runtime, [...global, 'delete', '--force', id]);
  }
}

const stateRoots = new Set<string>();

/** Creates runc's state root once per process (runc itself would make it without the private mode). */
async function ensureStateRoot(stateRoot: string): Promise<void> {
  if (stateRoots.has(stateRoot)) return;
  await mkdir(stateRoot, { recursive: true, mode: 0o700 });
  stateRoots.add(stateRoot);
}

interface ForegroundContext {
  readonly id: string;
  readonly global: readonly string[];
  readonly options: RunContainerOptions;
  /** The bundle being written: runc starts once it is. */
  readonly bundle: Promise<void>;
  /** Runs what needs the container's process once it runs (when the runtime writes a pid file). */
  readonly gate?: StartGate;
}

interface Foreground {
  readonly exitCode: number;
  readonly aborted: boolean;
}

/** Starts `runtime args…` through the launcher (see runtime-command.ts for how crun is started). */
function launchRuntime(runtime: string, args: readonly string[], options?: LaunchOptions) {
  const invocation = runtimeCommand(runtime, args);
  return launch(invocation.command, invocation.args, options);
}

function runForeground(runtime: string, args: readonly string[], context: ForegroundContext): Promise<Foreground> {
  const { options, global, id } = context;
  if (options.stdin === undefined && options.terminal === undefined) return launchForeground(runtime, args, context);
  const killContainer = () => void runQuiet(runtime, [...global, 'kill', '--all', id, 'KILL']);
  const { gate } = context;
  return spawnRun({ runtime, args, options, killContainer, ...(gate === undefined ? {} : { gate }) });
}

/** `runc run` started by the launcher, its stdout and stderr FIFOs in the launcher's private directory. */
async function launchForeground(
  runtime: string,
  args: readonly string[],
  { id, global, options, bundle }: ForegroundContext,
): Promise<Foreground> {
  let fifos: string[];
  try {
    fifos = await takeFifos(2);
  } catch (error) {
    await bundle;
    throw new RuntimeError((error as Error).message, -1);
  }
  const outputs: FifoOutput[] = [];
  let pid: number | undefined;
  let aborted = false;
  let forceTimer: NodeJS.Timeout | undefined;
  const onAbort = () => {
    aborted = true;
    void runQuiet(runtime, [...global, 'kill', '--all', id, 'KILL']);
    // If the container was not created yet, runc itself must go; `delete -f` cleans up after it.
    forceTimer = setTimeout(() => {
      try {
        if (pid !== undefined) process.kill(pid, 'SIGKILL');
      } catch {
        // runc is already gone
      }
    }, 2000);
  };
  try {
    const [opened, written] = await Promise.all([
      Promise.allSettled([
        readFifo(fifos[0], (chunk) => options.onStdout?.(chunk)),
        readFifo(fifos[1], (chunk) => options.onStderr?.(chunk)),
      ]),
      bundle.then(
        () => undefined,
        (error: unknown) => ({ error }),
      ),
    ]);
    for (const result of opened) if (result.status === 'fulfilled') outputs.push(result.value);
    if (written !== undefined) {
      for (const output of outputs) output.destroy();
      outputs.length = 0;
      throw new BundleError(written.error);
    }
    for (const result of opened) if (result.status === 'rejected') throw result.reason;
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) onAbort();
    const result = await launchRuntime(runtime, args, {
      stdout: fifos[0],
      stderr: fifos[1],
      onStart: (started) => {
        pid = started;
        options.onStarted?.();
      },
    });
    await Promise.all(outputs.map((output) => output.releaseWriter()));
    await Promise.all(outputs.map((output) => output.drained));
    returnFifos(fifos);
    return { exitCode: result.exitCode, aborted };
  } catch (error) {
    for (const output of outputs) output.destroy();
    if (error instanceof BundleError) throw error.cause;
    throw new RuntimeError(`cannot run ${runtime}: ${(error as Error).message}`, -1);
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    if (forceTimer !== undefined) clearTimeout(forceTimer);
  }
}

/** The bundle could not be written: its own error goes to the caller unchanged. */
class BundleError extends Error {
  constructor(override readonly cause: unknown) {
    super('bundle');
  }
}

/** The first error runc logged, if any (a failing command logs nothing). */
async function runtimeFailure(logFile: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(logFile, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const entry = JSON.parse(line) as { level?: string; msg?: string };
      if (entry.level === 'error' || entry.level === 'fatal') return entry.msg ?? line;
    } catch {
      return line;
    }
  }
  return undefined;
}

async function runQuiet(runtime: string, args: readonly string[]): Promise<void> {
  await launchRuntime(runtime, args).catch(() => {});
}
