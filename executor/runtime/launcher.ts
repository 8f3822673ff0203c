// Starts helper commands (mount, umount, runc) from one long-lived /bin/sh instead of from Node.
// libuv forks the whole Node process and blocks the event loop until the child has exec'd: with a
// build's heap that costs 40–120 ms per command on the project's VMs, against about 1 ms for the
// shell. Each command runs in a background job of the shell, so several may be in flight; the job
// reports `+ <id> <pid>` when the command started and `@ <id> <status>` when it ended, its stderr
// goes to a file read only on failure, and the shell says `= <id> <job pid>` so that tsbuild can
// have it reap the finished job (a non-interactive shell waiting for input reaps nothing).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { readdir, readFile, rm, unlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface LaunchOptions {
  /** Working directory of the command (relative paths in its arguments resolve against it). */
  readonly cwd?: string;
  /** A file (e.g. a FIFO) the command's stdout goes to; /dev/null by default. */
  readonly stdout?: string;
  /** A file (e.g. a FIFO) the command's stderr goes to; by default it is kept for the result. */
  readonly stderr?: string;
  /** Called with the command's pid once it has been started. */
  readonly onStart?: (pid: number) => void;
  /** A helper that lives as long as tsbuild: it does not keep the process alive while it runs. */
  readonly background?: boolean;
}

export interface LaunchResult {
  /** The command's exit status; 127 when it was not found, 126 when it could not run. */
  readonly exitCode: number;
  /** What the command wrote to stderr, when it failed (empty on success). */
  readonly stderr: string;
}

interface Job {
  readonly errFile: string;
  /** The background job's pid, once the shell said it; reaped after the job ended. */
  jobPid?: number;
  ended?: boolean;
  readonly onStart: ((pid: number) => void) | undefined;
  readonly background: boolean;
  readonly resolve: (result: LaunchResult) => void;
  readonly reject: (error: Error) => void;
}

/** POSIX shell single-quoting: safe for any byte but NUL. */
export function shellQuote(word: string): string {
  if (word.includes('\0')) throw new Error('a command argument cannot contain a NUL byte');
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

class Launcher {
  private readonly jobs = new Map<number, Job>();
  private nextId = 1;
  private buffered = '';
  /** Private (0700) directory for the jobs' stderr files and other per-launcher files; gone at exit. */
  readonly privateDir = mkdtempSync(path.join(os.tmpdir(), `${dirPrefix}${process.pid}-`));
  private readonly child: ChildProcess;
  private readonly removeDir = () => rmSync(this.privateDir, { recursive: true, force: true });
  exited = false;

  constructor() {
    // Asynchronously: a readdir of a busy /tmp on the main thread held up the shell's start and the first step.
    void removeStaleLauncherDirs();
    // Its own process group, so a terminal's Ctrl-C reaches tsbuild (which cleans up) and not the
    // shell; the shell ends when its stdin closes, i.e. when tsbuild exits.
    this.child = spawn('/bin/sh', [], { stdio: ['pipe', 'pipe', 'ignore'], detached: true });
    this.child.stdout?.setEncoding('utf8');
    this.child.stdout?.on('data', (text: string) => this.onOutput(text));
    this.child.stdin?.on('error', () => {}); // a dead shell is reported through 'exit'
    this.child.on('error', (error) => this.fail(new Error(`cannot start /bin/sh: ${error.message}`)));
    this.child.on('exit', () => this.fail(new Error('the command launcher (/bin/sh) exited')));
    process.on('exit', this.removeDir);
    this.refWhileBusy();
  }

  run(command: string, args: readonly string[], options: LaunchOptions): Promise<LaunchResult> {
    if (this.exited) return Promise.reject(new Error('the command launcher (/bin/sh) exited'));
    const id = this.nextId++;
    const errFile = path.join(this.privateDir, String(id));
    const err = shellQuote(errFile);
    const words = [command, ...args].map(shellQuote).join(' ');
    const out = shellQuote(options.stdout ?? '/dev/null');
    const stderr = options.stderr === undefined ? `2>>${err}` : `2>${shellQuote(options.stderr)}`;
    // A simple command run with `&`: the shell forks once and execs it, so `$!` is the command's pid.
    const start = `{ ${words} </dev/null >${out} ${stderr} & echo "+ ${id} $!"; wait $!; }`;
    const cd = options.cwd === undefined ? '' : `cd ${shellQuote(options.cwd)} 2>${err} && `;
    const line = `{ ${cd}${start}; echo "@ ${id} $?"; } & echo "= ${id} $!"\n`;
    return new Promise((resolve, reject) => {
      this.jobs.set(id, {
        errFile,
        onStart: options.onStart,
        background: options.background === true,
        resolve,
        reject,
      });
      this.refWhileBusy();
      this.child.stdin?.write(line);
    });
  }

  private onOutput(text: string): void {
    this.buffered += text;
    let newline = this.buffered.indexOf('\n');
    while (newline >= 0) {
      const match = /^([@+=]) (\d+) (\d+)$/.exec(this.buffered.slice(0, newline));
      this.buffered = this.buffered.slice(newline + 1);
      const job = match === null ? undefined : this.jobs.get(Number(match[2]));
      if (match !== null && job !== undefined) {
        const [, kind, id, value] = match;
        if (kind === '+') job.onStart?.(Number(value));
        if (kind === '=') job.jobPid = Number(value);
        if (kind === '@') this.finish(job, Number(value));
        if (job.ended && job.jobPid !== undefined) this.reap(Number(id), job.jobPid);
      }
      newline = this.buffered.indexOf('\n');
    }
  }

  private finish(job: Job, exitCode: number): void {
    job.ended = true;
    const done = exitCode === 0 ? Promise.resolve('') : readFile(job.errFile, 'utf8').catch(() => '');
    void done.then((stderr) => {
      unlink(job.errFile).catch(() => {});
      job.resolve({ exitCode, stderr: stderr.trim() });
    });
  }

  /** The job has printed its last line and is exiting: the shell waits for it (briefly) and forgets it. */
  private reap(id: number, jobPid: number): void {
    this.jobs.delete(id);
    this.refWhileBusy();
    this.child.stdin?.write(`wait ${jobPid}\n`);
  }

  private fail(error: Error): void {
    this.exited = true;
    for (const job of this.jobs.values()) job.reject(error);
    this.jobs.clear();
    process.removeListener('exit', this.removeDir);
    this.removeDir();
  }

  /** The shell keeps the process alive only while a command (not a background helper) is in flight. */
  private refWhileBusy(): void {
    const busy = [...this.jobs.values()].some((job) => !job.background);
    for (const handle of [this.child, this.child.stdout, this.child.stdin] as const) {
      const socket = handle as { ref?: () => void; unref?: () => void } | null;
      if (busy) socket?.ref?.();
      else socket?.unref?.();
    }
  }
}

const dirPrefix = 'tsbuild-launch-';

/**
 * A process killed by a signal leaves its launcher directory behind: the next launcher removes it. One this user
 * may not remove (another user's, in a shared /tmp) is left alone: it is not in the way of this launcher's. Never
 * fails.
 */
export async function removeStaleLauncherDirs(tmp = os.tmpdir()): Promise<void> {
  for (const name of await readdir(tmp).catch(() => [] as string[])) {
    const pid = name.startsWith(dirPrefix) ? Number(/^(\d+)-/.exec(name.slice(dirPrefix.length))?.[1]) : Number.NaN;
    if (!Number.isInteger(pid) || processAlive(pid)) continue;
    // EACCES/EPERM: someone else's.
    await rm(path.join(tmp, name), { recursive: true, force: true }).catch(() => {});
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

let current: Launcher | undefined;

function launcher(): Launcher {
  if (current === undefined || current.exited) current = new Launcher();
  return current;
}

/** Runs `command` through the shared launcher, starting (or restarting) it when needed. */
export function launch(command: string, args: readonly string[], options: LaunchOptions = {}): Promise<LaunchResult> {
  return launcher().run(command, args, options);
}

/** The launcher's private directory (mode 0700, removed when the process exits or the launcher dies). */
export function launcherDir(): string {
  return launcher().privateDir;
}

/** `launch` for a command that must succeed: rejects with what it wrote to stderr (or its exit status). */
export async function launchChecked(command: string, args: readonly string[]): Promise<void> {
  const result = await launch(command, args);
  if (result.exitCode !== 0) {
    const missing = result.exitCode === 127 ? ` (${command} not found)` : '';
    throw new Error(`${command} failed${missing}: ${result.stderr || `exit status ${result.exitCode}`}`);
  }
}
