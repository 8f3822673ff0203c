// Running the git CLI on untrusted repositories, as BuildKit's gitutil does: no system or user config (so no
// credential helper, no filter or hook a config could name), no terminal or SSH password prompts, the file
// protocol only where the user asked for it (never for a submodule), files created with umask 022, and the
// proxy variables passed through. `--depth=1` is dropped and the command retried when the server cannot do
// shallow fetches (git's dumb HTTP protocol).
import { spawn } from 'node:child_process';
import { type GitHttpAuth, gitAuthEnvironment } from './http-auth.js';

export class GitCommandError extends Error {
  readonly code = 'E_GIT';
  constructor(
    readonly args: readonly string[],
    readonly stderr: string,
    exit: string,
  ) {
    super(`git ${args[0] ?? ''} failed (${exit}): ${lastLines(stderr)}`);
    this.name = 'GitCommandError';
  }
}

export interface GitRunOptions {
  /** `--git-dir`. */
  readonly gitDir?: string;
  /** `--work-tree`; also the working directory unless `cwd` is given. */
  readonly workTree?: string;
  readonly cwd?: string;
  /** An ssh-agent socket for `ssh://` and `git@` remotes. */
  readonly sshAuthSock?: string;
  /** Credentials for an HTTP(S) remote (build secrets GIT_AUTH_TOKEN / GIT_AUTH_HEADER: http-auth.ts). */
  readonly httpAuth?: GitHttpAuth;
  readonly signal?: AbortSignal;
}

const PROXY_VARIABLES = ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'ALL_PROXY'].flatMap((v) => [v, v.toLowerCase()]);

/** Config for every command: defence in depth on top of the clean environment. */
const SAFE_CONFIG = [
  // Submodules must not read repositories from this machine's filesystem.
  ['protocol.file.allow', 'user'],
  ['core.hooksPath', '/dev/null'],
  ['core.fsmonitor', 'false'],
  ['credential.helper', ''],
  ['init.defaultBranch', 'master'],
].flatMap(([key, value]) => ['-c', `${key}=${value}`]);

function environment(sshAuthSock: string | undefined, httpAuth: GitHttpAuth | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    GIT_TERMINAL_PROMPT: '0',
    // BatchMode: ssh asks for no password or passphrase either.
    GIT_SSH_COMMAND: 'ssh -F /dev/null -o StrictHostKeyChecking=no -o BatchMode=yes',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    HOME: '/dev/null',
    LC_ALL: 'C',
  };
  for (const name of PROXY_VARIABLES) if (process.env[name] !== undefined) env[name] = process.env[name];
  if (sshAuthSock !== undefined) env.SSH_AUTH_SOCK = sshAuthSock;
  return { ...env, ...gitAuthEnvironment(httpAuth) };
}

/** Runs `git ARGS…` and returns its standard output; throws GitCommandError with git's standard error. */
export async function runGit(args: readonly string[], opts: GitRunOptions = {}): Promise<string> {
  let current = [...args];
  for (;;) {
    try {
      return await runOnce(current, opts);
    } catch (error) {
      if (!(error instanceof GitCommandError)) throw error;
      const retry = retryArgs(current, error.stderr);
      if (retry === null) throw error;
      current = retry;
    }
  }
}

/** BuildKit's retry without `--depth=1` for servers that cannot do shallow fetches. */
function retryArgs(args: readonly string[], stderr: string): string[] | null {
  if ((stderr.includes('--depth') || stderr.includes('shallow')) && args.includes('--depth=1')) {
    return args.filter((a) => a !== '--depth=1');
  }
  return null;
}

function runOnce(args: readonly string[], opts: GitRunOptions): Promise<string> {
  const global = [
    ...SAFE_CONFIG,
    ...(opts.workTree === undefined ? [] : ['--work-tree', opts.workTree]),
    ...(opts.gitDir === undefined ? [] : ['--git-dir', opts.gitDir]),
  ];
  // umask 022 as BuildKit's runWithStandardUmask: checked-out files are 0644 or 0755 whatever ours is.
  const child = spawn('/bin/sh', ['-c', 'umask 022 && exec git "$@"', 'git', ...global, ...args], {
    cwd: opts.cwd ?? opts.workTree ?? '/',
    env: environment(opts.sshAuthSock, opts.httpAuth),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
  // Remote helpers are children of git: the whole process group goes on cancel.
  const kill = () => {
    if (child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  opts.signal?.addEventListener('abort', kill, { once: true });
  return new Promise((resolve, reject) => {
    child.on('error', (error) => {
      opts.signal?.removeEventListener('abort', kill);
      reject(error);
    });
    child.on('close', (code, signal) => {
      opts.signal?.removeEventListener('abort', kill);
      const stderr = Buffer.concat(err).toString('utf8');
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
      else reject(new GitCommandError(args, stderr, signal === null ? `exit status ${code}` : `signal ${signal}`));
    });
  });
}

/** The last lines of git's standard error (its `fatal:` line says what went wrong), without progress noise. */
function lastLines(stderr: string): string {
  const lines = stderr
    .replace(/([a-zA-Z0-9]+:\/\/)[^/\s@']*:[^/\s@']*@/g, '$1xxxxx@')
    .split(/\r?\n|\r/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('hint:'));
  return lines.slice(-3).join('; ') || 'no output';
}
