// The git source against real servers on loopback (git daemon for git://, dumb HTTP for http://…/repo.git):
// resolving refs as BuildKit does (default branch, branch over tag, annotated tags, unknown refs, unreachable
// remotes) and checking out a planned commit (subdir, keep-git-dir, submodules, commit mtimes, a moved ref,
// hostile subdirs and symlinks).
import { chmodSync } from 'node:fs';
import { lstat, mkdtemp, readdir, readFile, readlink, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkoutGit, gitResolver, runGit } from '../../executor/index.js';
import type { GitCheckout } from '../../planner/index.js';
import { type GitServer, startGitServer, type TestRepo } from './git-server.js';

let server: GitServer;
let repo: TestRepo;
let first: string;
let second: string;
let tagged: string;
const work: string[] = [];

async function tmp(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tsbuild-gitco-'));
  work.push(dir);
  return dir;
}

beforeAll(async () => {
  server = await startGitServer();
  repo = server.repo('app.git');
  first = repo.commit({ 'README.md': 'one\n', 'src/main.sh': '#!/bin/sh\necho hi\n', 'docs/a.txt': 'a\n' });
  chmodSync(path.join(repo.work, 'src/main.sh'), 0o755);
  first = repo.commit({});
  repo.git('tag', '-a', '-m', 'release', 'v1');
  repo.git('push', '-q', 'origin', 'v1');
  tagged = first;
  second = repo.commit({ 'README.md': 'two\n' }, { date: 1_700_000_000 });
  repo.git('push', '-q', 'origin', 'HEAD:refs/heads/feature');
  await runGit(['update-server-info'], { gitDir: repo.bare });
});

afterAll(async () => {
  await server.close();
  for (const dir of work) await rm(dir, { recursive: true, force: true });
});

describe('gitResolver', () => {
  it('resolves the default branch, a branch, a full ref and an annotated tag (with its commit)', async () => {
    const git = gitResolver();
    const url = server.gitUrl('app.git');
    expect(await git.resolve(url, '')).toEqual({ ref: 'refs/heads/main', sha: second });
    expect(await git.resolve(url, 'feature')).toEqual({ ref: 'refs/heads/feature', sha: second });
    expect(await git.resolve(url, 'refs/heads/main')).toEqual({ ref: 'refs/heads/main', sha: second });
    const tag = await git.resolve(url, 'v1');
    expect(tag.ref).toBe('refs/tags/v1');
    expect(tag.tagCommit).toBe(tagged);
    expect(tag.sha).not.toBe(tagged);
  });

  it('resolves over dumb HTTP too', async () => {
    expect(await gitResolver().resolve(server.httpUrl('app.git'), 'main')).toEqual({
      ref: 'refs/heads/main',
      sha: second,
    });
  });

  it('names the ref a repository lacks, and a remote it cannot reach', async () => {
    const url = server.gitUrl('app.git');
    await expect(gitResolver().resolve(url, 'nope')).rejects.toThrow(`repository ${url} does not contain ref nope`);
    await expect(gitResolver().resolve('git://127.0.0.1:1/x.git', 'main')).rejects.toThrow(
      /^failed to fetch remote git:\/\/127\.0\.0\.1:1\/x\.git: .*(refused|unable to connect)/,
    );
    await expect(gitResolver().resolve(server.httpUrl('missing.git'), '')).rejects.toThrow(
      /^error fetching default branch for repository http:\/\/127\.0\.0\.1:\d+\/missing\.git: /,
    );
  });
});

function planned(over: Partial<GitCheckout> = {}): GitCheckout {
  return {
    source: server.gitUrl('app.git'),
    remote: server.gitUrl('app.git'),
    ref: 'refs/heads/main',
    sha: second,
    commit: second,
    subdir: '/',
    keepGitDir: false,
    submodules: true,
    mtime: 'checkout',
    ...over,
  };
}

describe('checkoutGit', () => {
  it('checks out the tree with git’s modes, no .git, and the checkout’s times', async () => {
    const dir = await tmp();
    const out = path.join(dir, 'out');
    const before = Date.now() / 1000 - 5;
    await checkoutGit(planned(), out, dir);
    expect((await readdir(out)).sort()).toEqual(['README.md', 'docs', 'src']);
    expect(await readFile(path.join(out, 'README.md'), 'utf8')).toBe('two\n');
    expect((await stat(path.join(out, 'src/main.sh'))).mode & 0o7777).toBe(0o755);
    expect((await stat(path.join(out, 'README.md'))).mode & 0o7777).toBe(0o644);
    expect((await stat(path.join(out, 'docs'))).mode & 0o7777).toBe(0o755);
    expect((await stat(path.join(out, 'README.md'))).mtimeMs / 1000).toBeGreaterThan(before);
  });

  it('takes a subdir’s entries, and sets every time to the commit’s with mtime=commit', async () => {
    const dir = await tmp();
    const out = path.join(dir, 'out');
    await checkoutGit(planned({ subdir: '/src', mtime: 'commit' }), out, dir);
    expect(await readdir(out)).toEqual(['main.sh']);
    expect((await lstat(path.join(out, 'main.sh'))).mtimeMs).toBe(1_700_000_000_000);
    expect((await lstat(out)).mtimeMs).toBe(1_700_000_000_000);
  });

  it('keeps a .git with HEAD at the commit and origin without credentials (--keep-git-dir)', async () => {
    const dir = await tmp();
    const out = path.join(dir, 'out');
    const remote = server.httpUrl('app.git').replace('http://', 'http://user:secret@');
    await checkoutGit(planned({ remote, keepGitDir: true }), out, dir);
    expect((await runGit(['rev-parse', 'HEAD'], { gitDir: path.join(out, '.git') })).trim()).toBe(second);
    expect((await runGit(['rev-parse', 'refs/heads/main'], { gitDir: path.join(out, '.git') })).trim()).toBe(second);
    const config = await readFile(path.join(out, '.git/config'), 'utf8');
    expect(config).not.toContain('secret');
    expect(config).toContain('url = http://xxxxx@127.0.0.1:');
    expect(await readFile(path.join(out, 'README.md'), 'utf8')).toBe('two\n');
  });

  it('checks out the planned commit when the branch moved after planning', async () => {
    const dir = await tmp();
    const out = path.join(dir, 'out');
    await checkoutGit(planned({ ref: 'refs/heads/main', sha: first, commit: first }), out, dir);
    expect(await readFile(path.join(out, 'README.md'), 'utf8')).toBe('one\n');
  });

  it('checks out a commit named by its id, and an annotated tag’s commit', async () => {
    const dir = await tmp();
    await checkoutGit(planned({ ref: first, sha: first, commit: first }), path.join(dir, 'a'), path.join(dir, 'wa'));
    expect(await readFile(path.join(dir, 'a/README.md'), 'utf8')).toBe('one\n');
    const tag = await gitResolver().resolve(server.gitUrl('app.git'), 'v1');
    await checkoutGit(
      planned({ ref: tag.ref, sha: tag.sha, commit: tagged, keepGitDir: true }),
      path.join(dir, 'b'),
      path.join(dir, 'wb'),
    );
    expect((await runGit(['rev-parse', 'HEAD'], { gitDir: path.join(dir, 'b/.git') })).trim()).toBe(tagged);
  });

  it('refuses a subdir that is missing, a file, or a symlink leading out of the tree; copies links as links', async () => {
    const evil = server.repo('evil.git');
    const commit = evil.commit({ 'file.txt': 'x\n', out: { symlink: '/etc' }, 'dir/up': { symlink: '../..' } });
    const source = { remote: server.gitUrl('evil.git'), source: server.gitUrl('evil.git'), sha: commit, commit };
    for (const subdir of ['/missing', '/file.txt', '/out', '/dir/up']) {
      const dir = await tmp();
      await expect(checkoutGit(planned({ ...source, subdir }), path.join(dir, 'out'), dir)).rejects.toThrow(
        `failed to open subdir ${subdir}: not a directory in ${server.gitUrl('evil.git')}`,
      );
    }
    const dir = await tmp();
    await checkoutGit(planned(source), path.join(dir, 'out'), dir);
    expect(await readlink(path.join(dir, 'out/out'))).toBe('/etc');
    expect(await readlink(path.join(dir, 'out/dir/up'))).toBe('../..');
  });

  it('checks out submodules (recursively, over git://) unless turned off, without .git files', async () => {
    const sub = server.repo('sub.git');
    sub.commit({ 'lib.txt': 'library\n' });
    const top = server.repo('top.git');
    top.commit({ 'main.txt': 'main\n' });
    top.git('-c', 'protocol.file.allow=always', 'submodule', 'add', '-q', '../sub.git', 'vendor/sub');
    const commit = top.commit({});
    const base = { remote: server.gitUrl('top.git'), source: server.gitUrl('top.git'), sha: commit, commit };
    const dir = await tmp();
    await checkoutGit(planned(base), path.join(dir, 'with'), path.join(dir, 'w1'));
    expect(await readFile(path.join(dir, 'with/vendor/sub/lib.txt'), 'utf8')).toBe('library\n');
    expect((await readdir(path.join(dir, 'with/vendor/sub'))).sort()).toEqual(['lib.txt']);
    await checkoutGit(planned({ ...base, submodules: false }), path.join(dir, 'without'), path.join(dir, 'w2'));
    expect(await readdir(path.join(dir, 'without/vendor/sub'))).toEqual([]);
  });

  it('runs no filter a repository names in .gitattributes (no config can define one)', async () => {
    const attr = server.repo('attr.git');
    const commit = attr.commit({ '.gitattributes': '*.txt filter=evil\n', 'a.txt': 'raw content\n' });
    const source = { remote: server.gitUrl('attr.git'), source: server.gitUrl('attr.git'), sha: commit, commit };
    const dir = await tmp();
    await checkoutGit(planned(source), path.join(dir, 'out'), dir);
    expect(await readFile(path.join(dir, 'out/a.txt'), 'utf8')).toBe('raw content\n');
  });

  it('fails with the remote’s name when the planned commit cannot be fetched', async () => {
    const dir = await tmp();
    const gone = 'f'.repeat(40);
    await expect(
      checkoutGit(planned({ ref: gone, sha: gone, commit: gone }), path.join(dir, 'out'), dir),
    ).rejects.toThrow(`does not match expected commit ${gone}`);
  });
});
