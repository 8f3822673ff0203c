// ADD <git-url> in real builds against repositories served on loopback (git daemon and dumb HTTP): the tree
// lands at the destination with git's modes and owners 0:0, a subdir, --keep-git-dir, --chown/--chmod/--exclude,
// a cache hit while the ref stays at its commit and a miss once it moves, and errors a user can act on (unknown
// ref, checksum mismatch, missing subdir) naming the Dockerfile line.
import { lstat, readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run as plan } from '../../cli/commands/plan/run.js';
import { exportFilesystem, runGit } from '../../executor/index.js';
import type { Store } from '../../image/index.js';
import { type GitServer, startGitServer, type TestRepo } from '../executor/git-server.js';
import {
  buildIn,
  cachedSteps,
  freshDir,
  isolationUnavailable,
  removeFreshDirs,
  storeWithBusybox,
  writeContext,
} from './helpers.js';

/** `tsbuild plan CONTEXT` against the test store (text form). */
async function planText(context: string, root: string): Promise<string> {
  let out = '';
  let err = '';
  const code = await plan(
    { context, buildArgs: [], json: false },
    {
      stdout: (t) => {
        out += t;
      },
      stderr: (t) => {
        err += t;
      },
      readStdin: async () => '',
      env: { TSBUILD_ROOT: root },
    },
  );
  if (code !== 0) throw new Error(`plan failed (${code}): ${err}`);
  return out;
}

function lineOf(error: Error | null): number | undefined {
  return (error as { details?: { line?: number } } | null)?.details?.line;
}

describe.skipIf(isolationUnavailable() !== undefined)('ADD <git-url>', () => {
  let server: GitServer;
  let repo: TestRepo;
  let store: Store;
  let first: string;

  beforeAll(async () => {
    server = await startGitServer();
    repo = server.repo('app.git');
    first = repo.commit({ 'README.md': 'one\n', 'src/run.sh': '#!/bin/sh\n', 'src/skip.log': 'log\n' });
    store = await storeWithBusybox();
  });
  afterAll(async () => {
    await server.close();
    await removeFreshDirs();
  });

  /** Builds `dockerfile` in a fresh context dir, or in `at` (whose plan record a later `tsbuild plan` reads). */
  async function build(dockerfile: string, options: Parameters<typeof buildIn>[2] = {}, at?: string) {
    const ctx = at ?? (await freshDir('c'));
    await writeContext(ctx, [{ path: 'Dockerfile', content: dockerfile }]);
    const run = await buildIn(store, ctx, options);
    let out: string | null = null;
    if (run.result !== null) {
      out = await freshDir('o');
      await exportFilesystem(store, run.result.fs, { type: 'local', dest: out });
    }
    return { ...run, out };
  }

  it('adds the tree of the default branch over git://, and of a branch#subdir over dumb HTTP', async () => {
    const git = server.gitUrl('app.git');
    const http = `${server.httpUrl('app.git')}#main:src`;
    const run = await build(`FROM busybox\nADD ${git} /app\nADD ${http} /src/\n`);
    expect(run.error).toBeNull();
    const out = run.out as string;
    expect((await readdir(path.join(out, 'app'))).sort()).toEqual(['README.md', 'src']);
    expect(await readFile(path.join(out, 'app/README.md'), 'utf8')).toBe('one\n');
    const st = await stat(path.join(out, 'app/README.md'));
    expect([st.mode & 0o7777, st.uid, st.gid]).toEqual([0o644, 0, 0]);
    expect((await readdir(path.join(out, 'src'))).sort()).toEqual(['run.sh', 'skip.log']);
    // Nothing of git comes along without --keep-git-dir.
    await expect(lstat(path.join(out, 'app/.git'))).rejects.toThrow();
  });

  it('applies --exclude, --chown and --chmod to the checked-out files, and keeps .git with --keep-git-dir', async () => {
    const url = server.gitUrl('app.git');
    const run = await build(
      `FROM busybox\nADD --exclude=*.log --chown=7:8 --chmod=600 ${url}#:src /s\nADD --keep-git-dir ${url} /k\n`,
    );
    expect(run.error).toBeNull();
    const out = run.out as string;
    expect(await readdir(path.join(out, 's'))).toEqual(['run.sh']);
    const st = await stat(path.join(out, 's/run.sh'));
    expect([st.mode & 0o7777, st.uid, st.gid]).toEqual([0o600, 7, 8]);
    const head = await runGit(['rev-parse', 'HEAD'], { gitDir: path.join(out, 'k/.git') });
    expect(head.trim()).toBe(first);
  });

  it('is a cache hit while the ref stays at its commit, a miss once it moves; `--checksum` pins it', async () => {
    const side = server.repo('side.git');
    const c1 = side.commit({ 'v.txt': '1\n' });
    const url = server.gitUrl('side.git');
    const dockerfile = `FROM busybox\nADD ${url}#main /v\nRUN cat /v/v.txt > /seen\n`;
    const ctx = await freshDir('p');
    const one = await build(dockerfile, {}, ctx);
    expect(one.error).toBeNull();
    const two = await build(dockerfile, {}, ctx);
    expect(cachedSteps(two.log)).toEqual([`[2/3] ADD ${url}#main /v`, '[3/3] RUN cat /v/v.txt > /seen']);
    // `tsbuild plan`: the resolved commit under the step, CACHED; once the ref moves, why it misses.
    const planned = await planText(ctx, store.root);
    expect(planned).toMatch(new RegExp(`ADD ${url}#main /v  CACHED\n +git ${url} refs/heads/main ${c1}\n`));
    const c2 = side.commit({ 'v.txt': '2\n' });
    expect(await planText(ctx, store.root)).toMatch(
      new RegExp(
        `ADD ${url}#main /v  MISS \\(inputs changed: git ${url}#refs/heads/main\\)\n +git ${url} refs/heads/main ${c2}\n`,
      ),
    );
    const three = await build(dockerfile, {}, ctx);
    expect(cachedSteps(three.log)).toEqual([]);
    expect(await readFile(path.join(three.out as string, 'seen'), 'utf8')).toBe('2\n');
    // The commit as checksum (a prefix will do) is verified against what the ref resolves to.
    const pinned = await build(`FROM busybox\nADD --checksum=${c1.slice(0, 10)} ${url}#main /v\n`);
    const now = (await runGit(['rev-parse', 'main'], { gitDir: side.bare })).trim();
    expect(pinned.error?.message).toBe(`expected checksum to match ${c1.slice(0, 10)}, got ${now}`);
    expect(lineOf(pinned.error)).toBe(2);
  });

  it('dates the image by the commit with SOURCE_DATE_EPOCH naming a git source stage', async () => {
    const dated = server.repo('dated.git');
    dated.commit({ 'a.txt': 'a\n' }, { date: 1_650_000_123 });
    const url = server.gitUrl('dated.git');
    const run = await build(
      `ARG SOURCE_DATE_EPOCH=src\nFROM scratch AS src\nADD ${url} /\nFROM busybox\nCOPY --from=src /a.txt /a.txt\n`,
    );
    expect(run.error).toBeNull();
    expect(Date.parse(run.result?.config.created ?? '')).toBe(1_650_000_123_000);
    expect((await stat(path.join(run.out as string, 'a.txt'))).mtimeMs).toBe(1_650_000_123_000);
  });

  it('fails naming the Dockerfile line for an unknown ref and a missing subdir', async () => {
    const url = server.gitUrl('app.git');
    const ref = await build(`FROM busybox\nRUN true\nADD ${url}#nope /x\n`);
    expect(ref.error?.message).toBe(`repository ${url} does not contain ref nope`);
    expect(lineOf(ref.error)).toBe(3);
    const sub = await build(`FROM busybox\nADD ${url}#main:missing /x\n`);
    expect(sub.error?.message).toMatch(/failed to open subdir \/missing: not a directory in git:/);
    expect(lineOf(sub.error)).toBe(2);
  });
});
