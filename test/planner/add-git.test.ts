// Planning `ADD <git-url>`: the ref resolved while planning, the key BuildKit gives a git source (the commit,
// `.git#ref`, `:subdir`, `(skip-submodules)`; not the URL), the checksum checks and the errors of COPY and of
// inconsistent flags, each at the instruction's line.
import { describe, expect, it } from 'vitest';
import type { GitResolution, GitResolver, StepOperation } from '../../planner/index.js';
import { messages, planOf, stepsOf } from './helpers/scenario.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const TAG = 'c'.repeat(40);

/** A fake remote: refs by name; records what was asked. */
function fakeGit(refs: Record<string, GitResolution>): GitResolver & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    async resolve(remote, ref) {
      asked.push(`${remote}#${ref}`);
      const found = refs[ref];
      if (found === undefined) throw new Error(`repository ${remote} does not contain ref ${ref}`);
      return found;
    },
  };
}

const remote = () =>
  fakeGit({
    '': { ref: 'refs/heads/main', sha: A },
    main: { ref: 'refs/heads/main', sha: A },
    v1: { ref: 'refs/tags/v1', sha: TAG, tagCommit: B },
    'refs/tags/v1': { ref: 'refs/tags/v1', sha: TAG, tagCommit: B },
  });

async function keyOf(dockerfile: string, git: GitResolver = remote()): Promise<string | null> {
  const steps = stepsOf(await planOf(dockerfile, { git }));
  return steps[steps.length - 1].cacheKey;
}

describe('ADD <git-url>', () => {
  it('resolves the ref while planning and carries the checkout in the operation and the inputs', async () => {
    const git = remote();
    const steps = stepsOf(await planOf('FROM scratch\nADD https://u:p@h/r.git#main:sub/ /app\n', { git }));
    expect(git.asked).toEqual(['https://u:p@h/r.git#main']);
    expect(steps[0].inputs).toEqual([
      { type: 'git', remote: 'https://xxxxx@h/r.git', ref: 'refs/heads/main', commit: A, subdir: '/sub' },
    ]);
    expect((steps[0].operation as Extract<StepOperation, { type: 'copy' }>).git).toEqual([
      {
        source: 'https://u:p@h/r.git#main:sub/',
        remote: 'https://u:p@h/r.git',
        ref: 'refs/heads/main',
        sha: A,
        commit: A,
        subdir: '/sub',
        keepGitDir: false,
        submodules: true,
        mtime: 'checkout',
      },
    ]);
  });

  it('keys by the commit, not the URL or the ref name; subdir, keep-git-dir and submodules change the key', async () => {
    const base = await keyOf('FROM scratch\nADD https://h/r.git /app\n');
    expect(await keyOf('FROM scratch\nADD git://mirror/r.git#main /app\n')).toBe(base);
    expect(await keyOf(`FROM scratch\nADD https://h/r.git#${A} /app\n`)).toBe(base);
    const moved = fakeGit({ '': { ref: 'refs/heads/main', sha: B } });
    expect(await keyOf('FROM scratch\nADD https://h/r.git /app\n', moved)).not.toBe(base);
    const variants = [
      'ADD https://h/r.git#main:sub /app',
      'ADD --keep-git-dir https://h/r.git /app',
      'ADD https://h/r.git?submodules=false /app',
      'ADD https://h/r.git?mtime=commit /app',
    ];
    const keys = await Promise.all(variants.map((v) => keyOf(`FROM scratch\n${v}\n`)));
    expect(new Set([base, ...keys]).size).toBe(variants.length + 1);
  });

  it('keys an annotated tag by its commit, unless the .git is kept', async () => {
    expect(await keyOf('FROM scratch\nADD https://h/r.git#v1 /app\n')).toBe(
      await keyOf(`FROM scratch\nADD https://h/r.git#${B} /app\n`),
    );
    const op = stepsOf(await planOf('FROM scratch\nADD https://h/r.git#v1 /app\n', { git: remote() }))[0].operation;
    expect(op).toMatchObject({ git: [{ ref: 'refs/tags/v1', sha: TAG, commit: B }] });
  });

  it('checks --checksum and ?checksum= against the resolved commit (or the tag’s), prefixes allowed', async () => {
    const plan = (line: string) => planOf(`FROM scratch\n${line}\n`, { git: remote() });
    expect(messages(await plan(`ADD --checksum=${A.slice(0, 8)} https://h/r.git /app`))).toEqual([]);
    expect(messages(await plan(`ADD --checksum=${B.slice(0, 8)} https://h/r.git#v1 /app`))).toEqual([]);
    expect(messages(await plan(`ADD --checksum=${B} https://h/r.git#main /app`))).toEqual([
      `error 2:1 expected checksum to match ${B}, got ${A}`,
    ]);
    expect(messages(await plan(`ADD https://h/r.git?tag=v1&checksum=${A} /app`))).toEqual([
      `error 2:1 expected checksum to match ${A}, got ${TAG} or ${B}`,
    ]);
    expect(messages(await plan(`ADD --checksum=${A} https://h/r.git?checksum=${B} /app`))).toEqual([
      `error 2:1 checksum mismatch "${A}" != "${B}"`,
    ]);
    expect(messages(await plan('ADD --checksum=sha256:abc https://h/r.git /app'))).toEqual([
      'error 2:1 invalid checksum sha256:abc for Git URL, expected hex commit hash',
    ]);
    expect(messages(await plan(`ADD --checksum=${B} https://h/r.git#${A} /app`))).toEqual([
      `error 2:1 expected checksum to match ${B}, got ${A}`,
    ]);
  });

  it('refuses COPY of a repository, inconsistent keep-git-dir, bad queries; reports what the remote says', async () => {
    const plan = (line: string) => planOf(`FROM scratch\n${line}\n`, { git: remote() });
    expect(messages(await plan('COPY https://h/r.git /app'))).toEqual(["error 2:1 source can't be a git ref for COPY"]);
    expect(messages(await plan('COPY git@h:r.git /app'))).toEqual(["error 2:1 source can't be a git ref for COPY"]);
    expect(messages(await plan('ADD --keep-git-dir=false https://h/r.git?keep-git-dir=true /app'))).toEqual([
      'error 2:1 inconsistent keep-git-dir configuration',
    ]);
    expect(messages(await plan('ADD https://h/r.git?depth=1 /app'))).toEqual([
      'error 2:1 unexpected query "depth" (supported: ref, tag, branch, checksum, commit, subdir, keep-git-dir, submodules, mtime)',
    ]);
    expect(messages(await plan('ADD https://h/r.git#nope /app'))).toEqual([
      'error 2:1 repository https://h/r.git does not contain ref nope',
    ]);
    expect(messages(await planOf('FROM scratch\nADD https://h/r.git /app\n'))).toEqual([
      'error 2:1 git source https://h/r.git: no git resolver is available',
    ]);
  });

  it('takes `github.com/…` in ADD for a path, as BuildKit does', async () => {
    const result = await planOf('FROM scratch\nADD github.com/moby/buildkit /app\n', {
      files: { 'github.com/moby/buildkit': { content: 'x' } },
    });
    expect(stepsOf(result)[0].inputs).toMatchObject([{ type: 'context', source: 'github.com/moby/buildkit' }]);
  });
});
