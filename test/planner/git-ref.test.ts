// Which sources are git repositories and what their fragment or query selects: BuildKit's ParseGitRef and
// ParseURL cases (util/gitutil/git_url_test.go, dockerfile/dfgitutil/git_ref_test.go) as a table.
import { describe, expect, it } from 'vitest';
import { type GitRef, isHttpSource, parseGitRef, redactCredentials } from '../../planner/index.js';

const none = { ref: '', checksum: '', subdir: '', keepGitDir: null, submodules: null, mtime: null };
const ref = (remote: string, over: Partial<GitRef> = {}): GitRef => ({
  ...none,
  remote,
  indistinguishableFromLocal: false,
  ...over,
});

const cases: [string, GitRef | null][] = [
  ['https://example.com/', null],
  ['https://example.com/foo', null],
  ['https://example.com/foo.git', ref('https://example.com/foo.git')],
  ['https://example.com/foo.git#deadbeef', ref('https://example.com/foo.git', { ref: 'deadbeef' })],
  ['https://example.com/foo.git#release/1.2', ref('https://example.com/foo.git', { ref: 'release/1.2' })],
  ['https://example.com/foo.git/', null],
  ['https://example.com/foo.git.bar', null],
  ['git://example.com/foo', ref('git://example.com/foo')],
  ['custom.xyz/moby/buildkit.git', null],
  ['httpx://github.com/moby/buildkit.git', null],
  ['./.git', null],
  ['.git', null],
  ['src/app', null],
  ['https://foo:bar@github.com/moby/buildkit.git', ref('https://foo:bar@github.com/moby/buildkit.git')],
  ['git@github.com:moby/buildkit', ref('git@github.com:moby/buildkit')],
  [
    'git@github.com:moby/buildkit.git#v1.0.0:hack',
    ref('git@github.com:moby/buildkit.git', { ref: 'v1.0.0', subdir: 'hack' }),
  ],
  ['ssh://git@github.com:22/moby/buildkit.git', ref('ssh://git@github.com:22/moby/buildkit.git')],
  [
    'https://github.com/foo/bar.git#baz/qux:quux/quuz',
    ref('https://github.com/foo/bar.git', { ref: 'baz/qux', subdir: 'quux/quuz' }),
  ],
  [
    'https://github.com/docker/docker.git#:myfolder',
    ref('https://github.com/docker/docker.git', { subdir: 'myfolder' }),
  ],
  ['HTTPS://github.com/moby/buildkit.git', ref('HTTPS://github.com/moby/buildkit.git')],
  [
    'https://github.com/docker/docker.git?ref=v1.0.0&subdir=/subdir',
    ref('https://github.com/docker/docker.git', { ref: 'v1.0.0', subdir: '/subdir' }),
  ],
  [
    'https://github.com/user/myrepo.git?branch=container&subdir=docker',
    ref('https://github.com/user/myrepo.git', { ref: 'refs/heads/container', subdir: 'docker' }),
  ],
  [
    'https://github.com/moby/buildkit.git?tag=v0.21.1&checksum=66735c67',
    ref('https://github.com/moby/buildkit.git', { ref: 'refs/tags/v0.21.1', checksum: '66735c67' }),
  ],
  [
    `https://h/r.git?commit=${'a'.repeat(40)}&keep-git-dir=true&submodules=false&mtime=commit`,
    ref('https://h/r.git', {
      ref: 'a'.repeat(40),
      checksum: 'a'.repeat(40),
      keepGitDir: true,
      submodules: false,
      mtime: 'commit',
    }),
  ],
  [
    'github.com/moby/buildkit#v1',
    { ...ref('https://github.com/moby/buildkit', { ref: 'v1' }), indistinguishableFromLocal: true },
  ],
];

describe('parseGitRef', () => {
  it.each(cases)('%s', (source, expected) => {
    expect(parseGitRef(source)).toEqual(expected);
  });

  it('refuses a fragment with a query, unknown queries, repeated or conflicting ones, bad values', () => {
    expect(() => parseGitRef('https://h/r.git?ref=a#b')).toThrow('URL fragment and query cannot be specified together');
    expect(() => parseGitRef('https://h/r.git?depth=1')).toThrow('unexpected query "depth"');
    expect(() => parseGitRef('https://h/r.git?ref=a&ref=b')).toThrow('query "ref" has multiple values');
    expect(() => parseGitRef('https://h/r.git?tag=a&branch=b')).toThrow('queries "tag" and "branch" conflict');
    expect(() => parseGitRef('https://h/r.git?keep-git-dir=yes')).toThrow('invalid boolean "yes"');
    expect(() => parseGitRef('https://h/r.git?mtime=now')).toThrow('invalid value "now" for query "mtime"');
  });

  it('tells plain downloads from repositories, and redacts credentials for messages', () => {
    expect(isHttpSource('https://example.com/a.tgz')).toBe(true);
    expect(isHttpSource('https://example.com/a.git')).toBe(false);
    expect(isHttpSource('git://example.com/a')).toBe(false);
    expect(redactCredentials('https://user:pw@h/r.git')).toBe('https://xxxxx@h/r.git');
    expect(redactCredentials('https://token@h/r.git')).toBe('https://xxxxx@h/r.git');
    expect(redactCredentials('ssh://git@h/r.git')).toBe('ssh://git@h/r.git');
    expect(redactCredentials('git@h:r.git')).toBe('git@h:r.git');
  });
});
