// `tsbuild build URL` and `--build-context NAME=URL` through the build command, against servers on loopback:
// a git repository (git:// and dumb HTTP) at a ref and subdir with `-f` inside it, BUILDKIT_CONTEXT_KEEP_GIT_DIR,
// no .dockerignore for a remote context; an HTTP tarball (plain, gzip, xz) as the context; a plain-text body as
// the Dockerfile; a hostile tarball refused; named git and HTTP contexts; and nothing left in the store's tmp.
import { execFileSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../image/index.js';
import { type GitServer, startGitServer, type TestRepo } from '../executor/git-server.js';
import { buildCommand } from './build-command.js';
import { freshDir, isolationUnavailable, removeFreshDirs, storeWithBusybox, writeContext } from './helpers.js';

/** A tar of `entries` made by tar(1) (`..` names through --transform for the hostile case). */
async function tarOf(entries: Record<string, string>, transform?: string): Promise<Buffer> {
  const dir = await freshDir('t');
  await writeContext(
    dir,
    Object.entries(entries).map(([p, content]) => ({ path: p, content })),
  );
  const extra = transform === undefined ? [] : ['--transform', transform];
  return execFileSync('tar', ['-C', dir, ...extra, '-cf', '-', ...Object.keys(entries)]);
}

describe.skipIf(isolationUnavailable() !== undefined)('remote build contexts', () => {
  let server: GitServer;
  let repo: TestRepo;
  let store: Store;

  beforeAll(async () => {
    server = await startGitServer();
    repo = server.repo('ctx.git');
    repo.commit({
      'app/Dockerfile': 'FROM busybox\nCOPY . /ctx/\n',
      'app/build.Dockerfile': 'FROM busybox\nCOPY hello.txt /hello.txt\n',
      'app/hello.txt': 'hello from git\n',
      'app/.dockerignore': 'hello.txt\n',
      'README.md': 'top\n',
      Dockerfile: 'FROM busybox\nCOPY . /ctx/\n',
    });
    store = await storeWithBusybox();
  });
  afterAll(async () => {
    await server.close();
    await removeFreshDirs();
  });

  async function build(
    context: string,
    more: Parameters<typeof buildCommand>[1] extends infer O ? Partial<O> : never = {},
  ) {
    const out = await freshDir('o');
    const ran = await buildCommand(store, { context, outputs: [`type=local,dest=${out}`], quiet: true, ...more });
    return { ...ran, out };
  }

  async function tmpLeft(): Promise<string[]> {
    return readdir(path.join(store.root, 'tmp')).catch(() => []);
  }

  it('builds a git repository at a ref and subdir, -f inside it; no .dockerignore applies', async () => {
    const ran = await build(`${server.gitUrl('ctx.git')}#main:app`, { file: 'build.Dockerfile' });
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    expect(await readFile(path.join(ran.out, 'hello.txt'), 'utf8')).toBe('hello from git\n');
    const whole = await build(`${server.gitUrl('ctx.git')}#:app`);
    expect(whole.code).toBe(0);
    expect((await readdir(path.join(whole.out, 'ctx'))).sort()).toEqual([
      '.dockerignore',
      'Dockerfile',
      'build.Dockerfile',
      'hello.txt',
    ]);
    expect(await tmpLeft()).toEqual([]);
  });

  it('builds over dumb HTTP (`…/repo.git`), keeping .git with BUILDKIT_CONTEXT_KEEP_GIT_DIR=1', async () => {
    const ran = await build(server.httpUrl('ctx.git'), { buildArgs: ['BUILDKIT_CONTEXT_KEEP_GIT_DIR=1'] });
    expect(ran.stderr).toBe('');
    expect((await readdir(path.join(ran.out, 'ctx'))).sort()).toEqual(['.git', 'Dockerfile', 'README.md', 'app']);
  });

  it('fails with what the remote says: an unknown ref, an unreachable repository', async () => {
    const url = server.gitUrl('ctx.git');
    const ref = await build(`${url}#nope`);
    expect(ref.code).toBe(1);
    expect(ref.stderr).toBe(
      `ERROR: cannot load the build context ${url}#nope: repository ${url} does not contain ref nope\n`,
    );
    const gone = await build('git://127.0.0.1:1/x.git');
    expect(gone.stderr).toMatch(
      /^ERROR: cannot load the build context git:\/\/127\.0\.0\.1:1\/x\.git: error fetching default branch/,
    );
    expect(await tmpLeft()).toEqual([]);
  });

  it('unpacks an HTTP tarball (plain, gzip, xz) as the context; -f is a path inside it', async () => {
    const tar = await tarOf({ 'sub/Dockerfile': 'FROM busybox\nCOPY data.txt /data.txt\n', 'data.txt': 'tarred\n' });
    server.file('ctx.tar', tar);
    server.file('ctx.tar.gz', gzipSync(tar));
    server.file('ctx.tar.xz', execFileSync('xz', ['-c'], { input: tar }));
    for (const name of ['ctx.tar', 'ctx.tar.gz', 'ctx.tar.xz']) {
      const ran = await build(server.httpUrl(name), { file: 'sub/Dockerfile' });
      expect(ran.stderr, name).toBe('');
      expect(await readFile(path.join(ran.out, 'data.txt'), 'utf8')).toBe('tarred\n');
    }
    expect(await tmpLeft()).toEqual([]);
  });

  it('takes a body that is no archive for the Dockerfile, whatever -f says', async () => {
    server.file('Dockerfile.txt', 'FROM busybox\nRUN echo plain > /plain\n');
    const ran = await build(server.httpUrl('Dockerfile.txt'), { file: 'ignored' });
    expect(ran.stderr).toBe('');
    expect(await readFile(path.join(ran.out, 'plain'), 'utf8')).toBe('plain\n');
    const missing = await build(server.httpUrl('missing'));
    expect(missing.stderr).toMatch(/^ERROR: cannot load the build context http:.*: invalid response status 404 for /);
  });

  it('refuses a tarball with an entry escaping the context, leaving nothing behind', async () => {
    server.file('evil.tar', await tarOf({ Dockerfile: 'FROM busybox\n', x: 'x' }, 's,^x$,../../escaped,'));
    const ran = await build(server.httpUrl('evil.tar'));
    expect(ran.code).toBe(1);
    expect(ran.stderr).toMatch(/build context tar entry "\.\.\/\.\.\/escaped": path escapes the context/);
    expect(await tmpLeft()).toEqual([]);
  });

  it('takes --build-context NAME=<git-url> and NAME=<https-url> (the downloaded file)', async () => {
    const ctx = await freshDir('c');
    await writeContext(ctx, [
      {
        path: 'Dockerfile',
        content: 'FROM busybox\nCOPY --from=src hello.txt /from-git\nCOPY --from=dl payload.bin /from-http\n',
      },
    ]);
    server.file('payload.bin', 'payload\n');
    const ran = await build(ctx, {
      buildContexts: [`src=${server.gitUrl('ctx.git')}#main:app`, `dl=${server.httpUrl('payload.bin')}`],
    });
    expect(ran.stderr).toBe('');
    expect(await readFile(path.join(ran.out, 'from-git'), 'utf8')).toBe('hello from git\n');
    expect(await readFile(path.join(ran.out, 'from-http'), 'utf8')).toBe('payload\n');
    expect(await tmpLeft()).toEqual([]);
  });
});
