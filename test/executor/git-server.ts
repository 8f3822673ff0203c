// Git repositories served on loopback for the git source tests: `git daemon` for git:// URLs and a small
// HTTP server that serves the same repositories with git's dumb HTTP protocol (after `git update-server-info`),
// plus any extra files a test registers (tarballs, Dockerfiles). Repositories are made with the git CLI in a
// temp dir, with fixed author and committer dates so commits are reproducible.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface GitServer {
  /** `git://127.0.0.1:PORT/<name>` */
  gitUrl(name: string): string;
  /** `http://127.0.0.1:PORT/<name>` (dumb HTTP for repositories, or a registered file). */
  httpUrl(name: string): string;
  /** Creates a bare repository `<name>` (served by both servers) and a work tree to commit from. */
  repo(name: string): TestRepo;
  /** Serves `body` at `/<name>` over HTTP, with headers. */
  file(name: string, body: Buffer | string, headers?: Record<string, string>): void;
  /**
   * Over HTTP, `/<name>…` answers 401 unless the request's Authorization header is `authorization` (a private
   * repository); the headers received for it are kept in `authorizations`.
   */
  requireAuthorization(name: string, authorization: string): void;
  /** Authorization headers of requests for private repositories (`undefined`: none sent). */
  readonly authorizations: (string | undefined)[];
  /** Requests the HTTP server answered, by path. */
  readonly requests: string[];
  close(): Promise<void>;
}

export interface TestRepo {
  readonly bare: string;
  readonly work: string;
  /**
   * Writes files (path → content; `{ symlink }` makes a link; `null` deletes), commits them at `date` (seconds)
   * and pushes to `branch` (default main); returns the commit id.
   */
  commit(
    files: Record<string, string | null | { symlink: string }>,
    options?: { date?: number; message?: string; branch?: string },
  ): string;
  /** Runs git in the work tree. */
  git(...args: string[]): string;
}

const env = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  HOME: '/dev/null',
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
};

function git(cwd: string, args: string[], extraEnv: Record<string, string> = {}): string {
  return execFileSync('git', ['-c', 'init.defaultBranch=main', '-c', 'protocol.file.allow=always', ...args], {
    cwd,
    env: { ...env, ...extraEnv },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function startGitServer(): Promise<GitServer> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'tsbuild-git-'));
  const base = path.join(root, 'srv');
  mkdirSync(base);
  const files = new Map<string, { body: Buffer; headers: Record<string, string> }>();
  const requests: string[] = [];
  const required = new Map<string, string>();
  const authorizations: (string | undefined)[] = [];
  const httpServer = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(url.pathname);
    const privateRepo = [...required].find(([name]) => url.pathname.startsWith(`/${name}/`));
    if (privateRepo !== undefined) {
      authorizations.push(req.headers.authorization);
      if (req.headers.authorization !== privateRepo[1]) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="git"' }).end();
        return;
      }
    }
    const registered = files.get(url.pathname);
    if (registered !== undefined) {
      res.writeHead(200, registered.headers);
      res.end(registered.body);
      return;
    }
    // Dumb HTTP: plain files of the bare repositories (never outside the served root).
    const file = path.join(base, path.posix.normalize(url.pathname));
    if (!file.startsWith(`${base}/`)) {
      res.writeHead(403).end();
      return;
    }
    try {
      if (!statSync(file).isFile()) throw new Error('not a file');
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(readFileSync(file));
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const httpPort = (httpServer.address() as AddressInfo).port;
  const gitPort = await freePort();
  const daemon: ChildProcess = spawn(
    'git',
    ['daemon', '--export-all', '--reuseaddr', `--base-path=${base}`, '--listen=127.0.0.1', `--port=${gitPort}`, base],
    { stdio: ['ignore', 'ignore', 'pipe'], env },
  );
  // The daemon is ready once it accepts connections.
  for (let i = 0; i < 100; i++) {
    try {
      execFileSync('git', ['ls-remote', `git://127.0.0.1:${gitPort}/none.git`], { stdio: 'ignore', env });
    } catch (error) {
      const stderr = String((error as { stderr?: Buffer }).stderr ?? '');
      if (!stderr.includes('Connection refused')) break;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  await new Promise((r) => setTimeout(r, 100));

  return {
    gitUrl: (name) => `git://127.0.0.1:${gitPort}/${name}`,
    httpUrl: (name) => `http://127.0.0.1:${httpPort}/${name}`,
    requests,
    authorizations,
    requireAuthorization(name, authorization) {
      required.set(name, authorization);
    },
    file(name, body, headers = {}) {
      files.set(`/${name}`, { body: Buffer.from(body), headers });
    },
    repo(name) {
      const bare = path.join(base, name);
      const work = path.join(root, 'work', name);
      mkdirSync(bare, { recursive: true });
      mkdirSync(work, { recursive: true });
      git(bare, ['init', '--bare', '-q']);
      git(work, ['init', '-q']);
      git(work, ['remote', 'add', 'origin', bare]);
      let clock = 1_600_000_000;
      return {
        bare,
        work,
        git: (...args) => git(work, args),
        commit(changes, options = {}) {
          for (const [file, content] of Object.entries(changes)) {
            const full = path.join(work, file);
            rmSync(full, { force: true, recursive: true });
            if (content === null) continue;
            mkdirSync(path.dirname(full), { recursive: true });
            if (typeof content === 'string') writeFileSync(full, content);
            else symlinkSync(content.symlink, full);
          }
          clock += 60;
          const date = `${options.date ?? clock} +0000`;
          git(work, ['add', '-A']);
          git(work, ['commit', '-q', '--allow-empty', '-m', options.message ?? 'change'], {
            GIT_AUTHOR_DATE: date,
            GIT_COMMITTER_DATE: date,
          });
          const branch = options.branch ?? 'main';
          git(work, ['push', '-q', '--force', 'origin', `HEAD:refs/heads/${branch}`]);
          git(bare, ['update-server-info']);
          return git(work, ['rev-parse', 'HEAD']);
        },
      };
    },
    async close() {
      daemon.kill('SIGTERM');
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      rmSync(root, { recursive: true, force: true });
    },
  };
}
